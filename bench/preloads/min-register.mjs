// Bare baseline: require-in-the-middle + import-in-the-middle for a small allow-list, callbacks only
// record the module name. Uses IITM's synchronous in-thread hooks (module.registerHooks) where Node has
// them (22.22.3+/24.11.1+), else IITM's async loader (module.register) with an allow-list message channel.
import { createRequire, register as registerLoader } from 'node:module'
import { register as registerSync, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs'
import { Hook as IitmHook, createAddHookMessageChannel } from 'import-in-the-middle'

const require = createRequire(import.meta.url)
const { Hook: RitmHook } = require('require-in-the-middle')

const MODULES = [
  'fs', 'child_process', 'http', 'https', 'net',
  '@modelcontextprotocol/sdk',
  '@modelcontextprotocol/sdk/client/index.js',
  '@modelcontextprotocol/sdk/client/stdio.js'
]
const seen = new Set()
const onLoad = (kind) => (exports, name) => { seen.add(`${kind}:${name}`); return exports }

if (supportsSyncHooks()) {
  registerSync({ include: MODULES })
  IitmHook(MODULES, onLoad('esm'))
} else {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel()
  registerLoader('import-in-the-middle/hook.mjs', import.meta.url, registerOptions)
  IitmHook(MODULES, onLoad('esm'))
  await waitForAllMessagesAcknowledged()
}
new RitmHook(MODULES, onLoad('cjs'))
