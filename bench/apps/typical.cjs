// Typical agentic app: builtins + express + openai + MCP client (about 550 modules). Loads, builds, exits. No network.
const gcPhase = require('./gc-phase.cjs')
const fs = require('fs')
const childProcess = require('child_process')
const http = require('http')
const express = require('express')
const { OpenAI } = require('openai')
const { Client } = require('@modelcontextprotocol/sdk/client/index.js')
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js')

const app = express()
const openai = new OpenAI({ apiKey: 'sk-dummy', baseURL: 'http://127.0.0.1:9/v1' })
const client = new Client({ name: 'typical', version: '1.0.0' })
gcPhase.shortLived()
console.log('typical', typeof fs.statSync, typeof childProcess.spawn, typeof http.createServer,
  typeof app.listen, typeof openai.chat.completions.create, typeof client.connect, typeof StdioClientTransport)
