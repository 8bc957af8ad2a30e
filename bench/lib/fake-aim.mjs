// A tiny local stand-in for the AIM server: answers anything (GET 200, other methods 201) with JSON.
// Modes: 'up' answers at once, 'slow' answers after delayMs. Counts requests, so a run can tell
// whether the agent's reporter really loaded and sent something. Never keeps the bench alive.
import { createServer } from 'node:http'

export async function startFakeAim ({ delayMs = 0 } = {}) {
  const stats = { requests: 0, byRoute: {} }
  const server = createServer((req, res) => {
    stats.requests++
    const route = `${req.method} ${String(req.url).replace(/[0-9a-f-]{36}/g, ':id').split('?')[0]}`
    stats.byRoute[route] = (stats.byRoute[route] || 0) + 1
    req.resume()
    const answer = () => {
      if (res.destroyed) return
      const status = req.method === 'GET' ? 200 : 201
      const body = req.method === 'GET'
        ? { id: '00000000-0000-4000-8000-000000000001', name: 'bench-agent', status: 'verified', capabilities: [], talks_to: [], mcp_servers: [], data: [] }
        : { id: '00000000-0000-4000-8000-000000000002', success: true }
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (delayMs > 0) {
      const t = setTimeout(answer, delayMs)
      t.unref()
      res.on('close', () => clearTimeout(t))
    } else req.on('end', answer)
  })
  server.keepAliveTimeout = 1000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  server.unref()
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    reset () { stats.requests = 0; stats.byRoute = {} },
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()) })
  }
}

/** A loopback port that nothing listens on (bound, then closed). */
export async function closedPort () {
  const s = createServer()
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise((resolve) => s.close(resolve))
  return `http://127.0.0.1:${port}`
}
