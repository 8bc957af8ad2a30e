// Control (Node with module.registerHooks): pass-through synchronous resolve and load hooks, nothing else.
// What any sync-hook agent pays before doing any work of its own.
import { registerHooks } from 'node:module'
registerHooks({ resolve: (s, c, next) => next(s, c), load: (u, c, next) => next(u, c) })
