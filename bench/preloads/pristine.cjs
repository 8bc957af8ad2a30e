'use strict'
// Hot-path A/B: loaded with --require BEFORE any agent (Node runs every --require before any --import),
// it keeps the original fs.statSync / fs.existsSync so apps/hotfs.* can time, in the same process, calls
// through the binding the app sees (maybe wrapped by an agent) against calls to the original function.
const fs = require('fs')
globalThis[Symbol.for('aim-bench.pristine-fs')] = { statSync: fs.statSync, existsSync: fs.existsSync }
