// ESM twin of modlist.cjs: Node's internal module list and the CJS files loaded so far.
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
console.log(`modlist ${JSON.stringify({ builtins: process.moduleLoadList, cjs: Object.keys(require.cache) })}`)
