// @aws-sdk/client-s3: PutObject to an S3-compatible endpoint (MinIO style, path-style URLs).
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
const s3 = new S3Client({ region: 'us-east-1', endpoint: process.env.FAKE_API, forcePathStyle: true, credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' } });
const out = await s3.send(new PutObjectCommand({ Bucket: 'reports', Key: 'today.txt', Body: 'hello' }));
console.log('s3', out.$metadata.httpStatusCode);
