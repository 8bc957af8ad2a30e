import { defineConfig } from 'tsup';

// Three shapes of output, one per way the code is loaded:
// - the public doors (`aim/register`, `aim`) in ESM and CJS, tiny;
// - the agent itself and the lazily loaded reporter, CJS only, so `--import` and `--require`
//   share one copy of the agent (register.mjs loads agent.cjs through createRequire);
// - the CLI, ESM.
// zod and undici are bundled so the app's own copies stay distinct from ours; the module
// hooks stay external (exactly one copy of each per process).
const external = ['require-in-the-middle', 'import-in-the-middle'];
const noExternal = ['zod', 'undici'];

export default defineConfig([
  {
    entry: { register: 'register.ts', index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    shims: true,
    clean: true,
    target: 'node20',
    external,
  },
  {
    entry: { agent: 'src/register/agent.ts', reporter: 'src/report/aim/entry.ts' },
    format: ['cjs'],
    target: 'node20',
    external,
    noExternal,
    splitting: false,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    external,
    noExternal,
    shims: true,
  },
]);
