'use strict'
// A hello world that says how full V8's new space is at its first line and at its exit (on stderr):
// a smaller figure at exit means a scavenge ran in between. See bench/young-space.mjs.
const v8 = require('v8')
const used = () => Math.round(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size / 1024)
const first = used()
console.log('hello')
process.on('exit', () => process.stderr.write(`young-space ${JSON.stringify({ first, exit: used() })}\n`))
