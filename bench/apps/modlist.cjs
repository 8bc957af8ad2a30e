'use strict'
// Prints what is loaded when the app starts: Node's internal module list (builtins and internals
// loaded so far) and the CJS modules in require.cache. Used by profile.mjs to diff plain against an agent.
console.log(`modlist ${JSON.stringify({ builtins: process.moduleLoadList, cjs: Object.keys(require.cache) })}`)
