// Terminal table, Markdown report and SVG chart.
import { AGENTS } from './agents.mjs'
import { budget, ranking, hotWorst } from './analyze.mjs'
import { startupRounds } from './gc-phase.mjs'

const label = (id) => AGENTS.find((a) => a.id === id)?.label || id
const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '–')
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '–')
const sign = (x, d = 1) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(d)}` : '–')
const pm = (iqr, d = 1) => (Number.isFinite(iqr) ? `±${(iqr / 2).toFixed(d)}` : '')

export function fmtValue (v, fmt) {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a'
  switch (fmt) {
    case 'ms': return `${sign(v)} ms`
    case 'msabs': return `${v.toFixed(0)} ms`
    case 'us': return `${sign(v)} µs`
    case 'x': return `×${v.toFixed(2)}`
    case 'pct': return `${sign(v, 2)} %`
    case 'mib': return `${sign(v)} MiB`
    case 'bool': return v ? 'yes' : 'NO'
    default: return String(v)
  }
}
const noiseFmt = (iqr, fmt) => {
  if (!Number.isFinite(iqr)) return ''
  const h = iqr / 2
  return fmt === 'x' ? `±${h.toFixed(2)}` : fmt === 'pct' ? `±${h.toFixed(2)}` : `±${h.toFixed(1)}`
}

const hasAim = (s) => [s.startup, s.modules, s.hot].some((o) => Object.values(o || {}).some((x) => x.aim)) || Boolean(s.reporter) || Object.keys(s.exit || {}).length > 0
const nodeTitle = (s) => `Node ${s.node.version} (${s.node.sync ? 'sync module hooks' : 'no sync module hooks'})`

/** Rows: agent -> cells, for the main per-node table. */
function mainRows (s) {
  const ids = AGENTS.map((a) => a.id).filter((id) => id === 'plain' ||
    Object.values(s.startup).some((o) => o[id]) || Object.values(s.modules).some((o) => o[id]) || Object.values(s.hot).some((o) => o[id]))
  return ids.map((id) => {
    const st = (app) => s.startup[app]?.[id]
    const mod = (app) => s.modules[app]?.[id]
    if (id === 'plain') {
      const hw = hotWorst(s, 'plain')
      return [label(id),
        ...['hello.cjs', 'hello.mjs'].map((a) => st(a) ? `${f1(st(a).ms.median)} ms` : '–'),
        ...['typical.cjs', 'typical.mjs'].map((a) => st(a) ? `${f0(st(a).ms.median)} ms` : '–'),
        ...['loadmany.cjs', 'loadmany.mjs'].map((a) => mod(a) ? `${f0(mod(a).usPerModule.median)} µs` : '–'),
        hw ? `${sign(hw.pct.median, 2)}${pm(hw.pct.iqr, 2)} % (A/A)` : '–',
        st('hello.mjs') && st('typical.mjs') ? `${f0(st('hello.mjs').rss.median)}/${f0(st('typical.mjs').rss.median)} MiB` : '–']
    }
    const hw = hotWorst(s, id)
    return [label(id),
      ...['hello.cjs', 'hello.mjs'].map((a) => st(a) ? `${sign(st(a).added.median)}${pm(st(a).added.iqr)} ms` : '–'),
      ...['typical.cjs', 'typical.mjs'].map((a) => st(a) ? `×${st(a).ratio.median.toFixed(2)}${pm(st(a).ratio.iqr, 2)}` : '–'),
      ...['loadmany.cjs', 'loadmany.mjs'].map((a) => mod(a) ? `${sign(mod(a).usPerModule.median, 0)}${pm(mod(a).usPerModule.iqr, 0)} µs` : '–'),
      hw ? `${sign(hw.pct.median, 2)}${pm(hw.pct.iqr, 2)} %` : '–',
      st('hello.mjs') && st('typical.mjs') ? `${sign(st('hello.mjs').rssAdded.median)}/${sign(st('typical.mjs').rssAdded.median)} MiB` : '–']
  })
}
const MAIN_HEAD = ['agent', 'hello.cjs', 'hello.mjs', 'typical.cjs', 'typical.mjs', 'per CJS mod', 'per ES mod', 'hot fs (worst)', 'RSS hello/typ.']

function textTable (head, rows) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ')
  return [line(head), w.map((n) => '─'.repeat(n)).join('  '), ...rows.map(line)].join('\n')
}
function mdTable (head, rows, align) {
  const a = align || head.map((_, i) => (i === 0 ? '---' : '---:'))
  return [`| ${head.join(' | ')} |`, `| ${a.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')
}

function budgetRows (s) {
  return budget(s).map((b) => [b.name, `${fmtValue(b.value, b.fmt)} ${b.fmt === 'bool' ? '' : noiseFmt(b.noise, b.fmt)}`.trim(), b.limit, b.verdict])
}
function rankRows (s) {
  return ranking(s).map((r) => [r.name, fmtValue(r.aim, r.fmt), `${label(r.best)} ${fmtValue(r.bestValue, r.fmt)}`, r.ahead])
}

export function terminalReport (all, meta) {
  const out = []
  out.push(`aim bench · ${meta.mode} · ${meta.date} · ${meta.rounds} rounds · aim ${meta.aimCommit || '(not built)'}`)
  out.push('Cells: median ±IQR/2 over paired runs. hello: added ms over plain; typical: ratio to plain; per module: added µs per module (in-process); hot fs: % slower than the original fs function (A/B in one process); RSS: added MiB.')
  for (const s of all) {
    out.push('', nodeTitle(s), textTable(MAIN_HEAD, mainRows(s)))
    if (hasAim(s)) {
      const b = budgetRows(s).filter((r) => r[3] !== 'n/a')
      if (b.length) out.push('', textTable(['budget (aim)', 'measured', 'limit', ''], b))
      const r = rankRows(s)
      if (r.length) out.push('', textTable(['aim vs the cheapest other agent', 'aim', 'best other', 'ahead'], r))
    }
  }
  const ex = exitRows(all)
  if (ex.length) out.push('', 'Exit lag (app\'s last line → process exit), median ±IQR/2', textTable(['Node', 'case', 'exit lag', 'time to last line', 'start to exit', 'peak RSS', 'requests'], ex))
  if (meta.failures?.length) {
    out.push('', `Failed runs: ${meta.failures.length} (all in the JSON/Markdown report); first ones:`)
    for (const f of meta.failures.slice(0, 5)) out.push(`  Node ${f.node} ${f.app} ${f.agent}: exit ${f.code}${f.signal ? ` ${f.signal}` : ''} ${JSON.stringify(f.stderr.slice(0, 200))}`)
  }
  return out.join('\n')
}

function exitRows (all) {
  const rows = []
  for (const s of all) {
    for (const [id, e] of Object.entries(s.exit)) rows.push([s.node.version, id, `${f1(e.lag.median)} ${pm(e.lag.iqr)} ms`, `${f0(e.toLine.median)} ms`, e.wall ? `${f0(e.wall.median)} ms` : '', e.rss ? `${f1(e.rss.median)} MiB` : '', e.requests === null ? '' : String(e.requests)])
  }
  return rows
}

export function markdownReport (all, meta, svgName) {
  const md = []
  md.push(`# aim bench: ${meta.date} (${meta.mode})`, '')
  md.push(`Machine: ${meta.machine}. aim: ${meta.aimCommit || 'not built'}. Rounds: ${meta.rounds}, ${startupRounds('typical.cjs', meta.rounds)} for the typical apps' startup (hot path: ${meta.hotRounds} process${meta.hotRounds > 1 ? 'es' : ''} per agent × ${meta.hotN} calls per variant). Took ${meta.tookMin} min.`, '')
  if (meta.mergedFrom) md.push(`Merged: phases ${meta.phases || ''} measured in this run; the others come from the ${meta.mergedFrom}.`, '')
  md.push('Reproduce: `npm run bench` (full) or `npm run bench -- --quick`; see `bench/README.md` for the method and options.', '')
  md.push('Every figure is paired with plain `node` run right next to it in the same call; cells give the median and ±IQR/2 over the rounds.',
    'hello: added ms over plain. typical: wall-time ratio to plain, with the GC phase swept over the rounds (bench/README.md). Per module: added µs per module, timed inside the process over 1000 generated tiny modules (plain: its own cost per module). Hot fs: % slower than the original `fs` function, A/B in one process (plain: the A/A noise floor). RSS: added peak RSS in MiB (plain: absolute).', '')
  if (svgName) md.push(`![startup ratios](${svgName})`, '')
  md.push('## Summary', '', summaryTable(all), '', rivalsTable(all), '')
  for (const s of all) {
    md.push(`## ${nodeTitle(s)}`, '', mdTable(MAIN_HEAD, mainRows(s)), '')
    if (hasAim(s)) {
      md.push(mdTable(['budget (aim)', 'measured', 'limit', 'result'], budgetRows(s), ['---', '---:', '---', '---']), '')
      const r = rankRows(s)
      if (r.length) md.push(mdTable(['aim vs the cheapest other agent', 'aim', 'best other', 'ahead'], r, ['---', '---:', '---:', '---']), '')
    }
    const hotRows = []
    const order = AGENTS.map((a) => a.id)
    for (const [app, byAgent] of Object.entries(s.hot)) {
      for (const fn of ['statSync', 'existsSync']) {
        for (const [id, h] of Object.entries(byAgent).sort((x, y) => order.indexOf(x[0]) - order.indexOf(y[0]))) {
          hotRows.push([`${app} ${fn}`, label(id), `${f0(h[fn].appNs)}`, `${f0(h[fn].origNs)}`, `${sign(h[fn].slowerPct.median, 2)} ±${(h[fn].slowerPct.iqr / 2).toFixed(2)}`, sign(h[fn].crossProcessPct, 1), `${h[fn].wrappedBefore ? 'yes' : 'no'} / ${h[fn].patched ? 'yes' : 'no'}`])
        }
      }
    }
    if (hotRows.length) md.push('<details><summary>hot path detail</summary>', '', mdTable(['call', 'agent', 'ns/call (app binding)', 'ns/call (original)', '% slower, in-process A/B', '% vs plain process', 'wrapped: before first use / after'], hotRows), '', '</details>', '')
    if (s.reporter) {
      md.push(`RSS with the reporter loaded (typical-wait.mjs, key set, local fake AIM up): plain ${f0(s.reporter.plainRss.median)} MiB, aim ${f0(s.reporter.rss.median)} MiB, added ${sign(s.reporter.rssAdded.median)} ${pm(s.reporter.rssAdded.iqr)} MiB; requests the fake AIM saw per run: ${s.reporter.requests} (${Object.entries(s.reporter.routes || {}).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}).`, '')
    }
  }
  const ex = exitRows(all)
  if (ex.length) md.push('## Exit lag', '', 'From the app\'s last line on stdout to process exit. "nothing to send": no API key. With a key: a local fake AIM answering at once (up), after 2 s (slow), or a closed port (down). Start to exit is the whole run. typical.mjs runs with the GC phase swept, as in the startup table (see bench/README.md); the "one GC phase" rows are the typical apps without the sweep, where one collection more or less after the last line decides the figure (the no-op sync hook is the control: it does nothing at exit).', '', mdTable(['Node', 'case', 'exit lag', 'time to last line', 'start to exit', 'peak RSS', 'requests seen'], ex), '')
  if (meta.failures?.length) {
    md.push('## Failed runs', '')
    for (const f of meta.failures.slice(0, 30)) md.push(`- Node ${f.node} ${f.app} ${f.agent}: exit ${f.code}${f.signal ? ` (${f.signal})` : ''} ${JSON.stringify(f.stderr.slice(0, 300))}`)
    md.push('')
  }
  return md.join('\n')
}

const COLORS = { aim: '#1b9e77', 'aim-require': '#66c2a5', 'aim-alt': '#a6d854', empty: '#bbbbbb', 'noop-sync': '#888888', min: '#7570b3', otel: '#d95f02', dd: '#e7298a', sentry: '#e6ab02' }

/** Grouped bars: startup ratio to plain node per agent, per Node version; one panel per app; log scale. */
export function svgChart (all, meta) {
  const apps = ['hello.mjs', 'typical.mjs', 'hello.cjs', 'typical.cjs'].filter((app) => all.some((s) => s.startup[app]))
  const agents = AGENTS.map((a) => a.id).filter((id) => id !== 'plain' && all.some((s) => apps.some((app) => s.startup[app]?.[id])))
  if (!apps.length || !agents.length) return null
  const bw = 15; const gap = 22; const groupW = agents.length * bw + gap
  const panelW = Math.max(330, all.length * groupW + 70); const panelH = 260
  const cols = Math.min(2, apps.length); const rowsN = Math.ceil(apps.length / cols)
  const legendPer = 125; const W = Math.max(cols * panelW + 20, 760)
  const legendRows = Math.ceil((agents.length * legendPer) / (W - 20))
  const top = 44 + legendRows * 16
  const H = top + rowsN * (panelH + 20) + 10
  const maxR = Math.max(2, ...all.flatMap((s) => apps.flatMap((app) => agents.map((id) => s.startup[app]?.[id]?.ratio.median || 1)))) * 1.25
  const yOf = (r) => panelH - 30 - (Math.log(Math.max(r, 1)) / Math.log(maxR)) * (panelH - 50)
  const esc = (t) => String(t).replace(/&/g, '&amp;').replace(/</g, '&lt;')
  const el = []
  el.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`)
  el.push(`<rect width="${W}" height="${H}" fill="white"/>`)
  el.push(`<text x="10" y="18" font-size="13" font-weight="bold">Startup wall time relative to plain node, median of paired runs (log scale, lower is better)</text>`)
  el.push(`<text x="10" y="33" fill="#555">${esc(meta.date)} · ${esc(meta.mode)} · ${meta.rounds} rounds · dashed line: aim's budget for the typical app, ×1.10</text>`)
  const perRow = Math.max(1, Math.floor((W - 20) / legendPer))
  agents.forEach((id, i) => {
    const x = 10 + (i % perRow) * legendPer; const y = 42 + Math.floor(i / perRow) * 16
    el.push(`<rect x="${x}" y="${y}" width="10" height="10" fill="${COLORS[id] || '#999'}"/><text x="${x + 14}" y="${y + 9}">${esc(label(id))}</text>`)
  })
  apps.forEach((app, pi) => {
    const ox = 10 + (pi % cols) * panelW; const oy = top + Math.floor(pi / cols) * (panelH + 20)
    el.push(`<g transform="translate(${ox},${oy})">`)
    el.push(`<text x="40" y="12" font-weight="bold">${esc(app)}</text>`)
    for (const t of [1, 1.5, 2, 3, 5, 10, 20, 50].filter((t) => t <= maxR)) {
      const y = yOf(t).toFixed(1)
      el.push(`<line x1="36" x2="${panelW - 10}" y1="${y}" y2="${y}" stroke="#e3e3e3"/><text x="32" y="${Number(y) + 4}" text-anchor="end">×${t}</text>`)
    }
    const yb = yOf(1.1).toFixed(1)
    el.push(`<line x1="36" x2="${panelW - 10}" y1="${yb}" y2="${yb}" stroke="#1b9e77" stroke-dasharray="4 3"/>`)
    all.forEach((s, gi) => {
      const gx = 44 + gi * groupW
      agents.forEach((id, ai) => {
        const r = s.startup[app]?.[id]?.ratio.median
        if (!Number.isFinite(r)) return
        const x = gx + ai * bw; const y = yOf(r); const h = yOf(1) - y
        el.push(`<rect x="${x}" y="${y.toFixed(1)}" width="${bw - 2}" height="${Math.max(1, h).toFixed(1)}" fill="${COLORS[id] || '#999'}"><title>${esc(label(id))} ${esc(app)} Node ${s.node.version}: ×${r.toFixed(2)}</title></rect>`)
        const tx = x + (bw - 2) / 2 + 3; const ty = y - 3
        el.push(`<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" font-size="9" transform="rotate(-90 ${tx.toFixed(1)} ${ty.toFixed(1)})">${r < 10 ? r.toFixed(2) : r.toFixed(1)}</text>`)
      })
      el.push(`<text x="${gx + (agents.length * bw) / 2}" y="${panelH - 14}" text-anchor="middle">Node ${s.node.version}</text>`)
    })
    el.push('</g>')
  })
  el.push('</svg>')
  return el.join('\n')
}

/** One row per Node version for aim: the README's table. */
export function summaryTable (all) {
  const head = ['Node', 'hello CJS / ESM', 'typical CJS / ESM', 'per CJS / ES module', 'hot fs', 'RSS idle / reporter', 'exit lag, nothing to send']
  const rows = all.map((s) => {
    const st = (app) => s.startup[app]?.aim
    const mod = (app) => s.modules[app]?.aim
    const hw = hotWorst(s, 'aim')
    const ex = s.exit['aim typical.mjs, nothing to send']; const exP = s.exit['plain typical.mjs']
    return [`${s.node.version}${s.node.sync ? ' (sync hooks)' : ''}`,
      st('hello.cjs') ? `${sign(st('hello.cjs').added.median)} / ${sign(st('hello.mjs')?.added.median)} ms` : '–',
      st('typical.cjs') ? `×${st('typical.cjs').ratio.median.toFixed(2)} / ×${st('typical.mjs')?.ratio.median.toFixed(2)}` : '–',
      mod('loadmany.cjs') ? `${sign(mod('loadmany.cjs').usPerModule.median, 0)} / ${sign(mod('loadmany.mjs')?.usPerModule.median, 0)} µs` : '–',
      hw ? `${sign(hw.pct.median, 1)} %` : '–',
      st('typical.mjs') ? `${sign(st('typical.mjs').rssAdded.median)} / ${s.reporter ? sign(s.reporter.rssAdded.median) : '–'} MiB` : '–',
      ex && exP ? `${sign(ex.lag.median - exP.lag.median)} ms` : '–']
  })
  return mdTable(head, rows)
}

/** Startup ratio of every agent on the typical app, per Node version. */
export function rivalsTable (all) {
  const ids = AGENTS.map((a) => a.id).filter((id) => !['plain', 'empty', 'noop-sync', 'aim-alt'].includes(id) && all.some((s) => s.startup['typical.mjs']?.[id] || s.startup['typical.cjs']?.[id]))
  const head = ['typical app, CJS / ESM', ...all.map((s) => `Node ${s.node.version}`)]
  const rows = ids.map((id) => [label(id), ...all.map((s) => {
    const c = s.startup['typical.cjs']?.[id]; const e = s.startup['typical.mjs']?.[id]
    return `${c ? `×${c.ratio.median.toFixed(2)}` : '–'} / ${e ? `×${e.ratio.median.toFixed(2)}` : '–'}`
  })])
  return mdTable(head, rows)
}
