// Bench only (lib/measure.mjs, "GC phase sweep"): moves the point of V8's collection cycles at which a
// run of the typical apps ends, so that whether a collection lands just before or just after the last
// line is averaged over the rounds instead of fixed by the app's exact allocations. Both apps load it
// first; with neither variable set it allocates nothing.
// BENCH_GC_RETAIN_KIB: 1 KiB arrays kept to the end, made now (they end up in the old generation).
// BENCH_GC_PHASE_KIB: 1 KiB arrays dropped at once, made by shortLived() before the last line.
const kib = (name) => Number(process.env[name]) || 0

const retained = []
for (let i = 0; i < kib('BENCH_GC_RETAIN_KIB'); i++) retained.push(new Array(120))
exports.retained = retained

exports.shortLived = function shortLived () {
  for (let i = 0; i < kib('BENCH_GC_PHASE_KIB'); i++) exports.sink = new Array(120)
  exports.sink = null
}
