// The typical app, then it stays up for BENCH_WAIT_MS (default 2000) so an agent's reporter has time to
// load and send its first batch; prints 'waited' last. Used for "RSS with the reporter loaded".
await import('./typical.mjs')
await new Promise((resolve) => setTimeout(resolve, Number(process.env.BENCH_WAIT_MS || 2000)))
console.log('waited')
