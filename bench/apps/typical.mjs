// Typical agentic app: builtins + express + openai + MCP client (about 550 modules). Loads, builds, exits. No network.
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
// Bench only (exit and memory rows, lib/measure.mjs): short-lived 1 KiB arrays that move the point of
// V8's young-generation cycle at which the run ends, so that whether a scavenge falls just before or
// just after the last line is swept over the rounds instead of fixed by the app's exact allocations.
const gcPhaseKiB = Number(process.env.BENCH_GC_PHASE_KIB) || 0
let gcPhaseSink = null
for (let i = 0; i < gcPhaseKiB; i++) gcPhaseSink = new Array(120)
gcPhaseSink = null
console.log('typical', typeof fs.statSync, typeof childProcess.spawn, typeof http.createServer,
  typeof app.listen, typeof openai.chat.completions.create, typeof client.connect, typeof StdioClientTransport)
