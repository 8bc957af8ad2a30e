// Typical agentic app: builtins + express + openai + MCP client (about 550 modules). Loads, builds, exits. No network.
import gcPhase from './gc-phase.cjs'
import fs from 'fs'
import childProcess from 'child_process'
import http from 'http'
import express from 'express'
import OpenAI from 'openai'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'

const app = express()
const openai = new OpenAI({ apiKey: 'sk-dummy', baseURL: 'http://127.0.0.1:9/v1' })
const client = new Client({ name: 'typical', version: '1.0.0' })
gcPhase.shortLived()
console.log('typical', typeof fs.statSync, typeof childProcess.spawn, typeof http.createServer,
  typeof app.listen, typeof openai.chat.completions.create, typeof client.connect, typeof StdioClientTransport)
