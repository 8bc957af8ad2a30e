// Imports that are never called: SDKs and drivers loaded, nothing used.
import OpenAI from 'openai';
import pg from 'pg';
import Redis from 'ioredis';
import nodemailer from 'nodemailer';
import { S3Client } from '@aws-sdk/client-s3';
import { QdrantClient } from '@qdrant/js-client-rest';
console.log('loaded', [OpenAI, pg.Client, Redis, nodemailer.createTransport, S3Client, QdrantClient].every((x) => typeof x === 'function'));
