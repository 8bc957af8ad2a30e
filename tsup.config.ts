import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { AGENT_WRAPPER_START } from './src/register/agent-wrapper.js';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const define = { __AIM_VERSION__: JSON.stringify(version) };
const outExtension = ({ format }: { format: string }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' });

// Three shapes of output, one per way the code is loaded:
// - the public doors (`aim/register`, `aim`) in ESM and CJS, tiny;
// - the agent itself and the lazily loaded reporter and MCP layer, CJS only, so `--import` and `--require`
//   share one copy of the agent (register compiles agent.cjs, see src/register/load-agent.ts);
// - the CLI, ESM.
// zod is bundled so the app's own copy stays distinct from ours.
const noExternal = ['zod'];

/**
 * zod keeps its config and registry on `globalThis.__zod_globalConfig` / `__zod_globalRegistry`:
 * loaded in the app's process, that is two string-named globals the app never made (mocha
 * `--check-leaks` fails on them). In our bundles zod's `globalThis` is a record of ours under a
 * `Symbol.for` key instead, which no string-keyed check sees.
 */
const zodOffGlobalThis = {
  name: 'zod-off-globalThis',
  setup(build: { onLoad(o: { filter: RegExp }, cb: (a: { path: string }) => { contents: string; loader: 'js' }): void }) {
    build.onLoad({ filter: /[\\/]zod[\\/].*[\\/]core[\\/](core|registries)\.c?js$/ }, ({ path }) => ({
      contents: readFileSync(path, 'utf8').replace(/\bglobalThis\b/g, '(globalThis[Symbol.for("aim.zod")] ??= {})'),
      loader: 'js',
    }));
  },
};

// The agent and the lazily loaded reporter: CommonJS, one copy per process.
const agentBundle = {
  // Parsed by every process at startup: size is parse time (72 KB whitespace-minified took
  // 1.9 ms to compile on Node 24, 50 KB fully minified 1.3 ms). Our own frames are told apart
  // by file, never by function name, so short names cost nothing.
  minify: true,
  format: ['cjs' as const],
  target: 'node20',
  define,
  outExtension,
  noExternal,
  esbuildPlugins: [zodOffGlobalThis],
  splitting: false,
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    shims: true,
    clean: true,
    target: 'node20',
    define,
    outExtension,
  },
  // The preload door: compiled from source in every process (it is what loads the code cache),
  // so minified like the agent: 0.4 M fewer instructions at startup on Node 24.
  {
    entry: { register: 'register.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    minify: true,
    target: 'node20',
    define,
    outExtension,
    // Which door this is, and its directory without a URL shim in the CommonJS one.
    esbuildOptions(options: { define?: Record<string, string> }, { format }: { format: string }) {
      const cjs = format === 'cjs';
      options.define = { ...options.define, __AIM_DOOR__: JSON.stringify(cjs ? 'require' : 'import'), ...(cjs && { 'import.meta.dirname': '__dirname' }) };
    },
  },
  {
    entry: { agent: 'src/register/agent.ts' },
    ...agentBundle,
    // Compiled by register with vm.Script and V8's code cache, never require()d: the file is already
    // the CommonJS wrapper function, so register reads one string and does not build a second,
    // 50 KB longer one (src/register/load-agent.ts).
    banner: { js: `/* aim agent: a function expression run by aim/register, not a module */\n${AGENT_WRAPPER_START}` },
    footer: { js: '\n})' },
  },
  // Inference, the inventory and the local sinks, compiled when something reads the inventory (src/register/core.ts).
  { entry: { core: 'src/register/core.ts' }, ...agentBundle },
  { entry: { reporter: 'src/report/lazy.ts' }, ...agentBundle },
  // The startup line, at info and debug only (src/register/startup-log.ts).
  { entry: { 'startup-log': 'src/register/startup-log.ts' }, ...agentBundle },
  // MCP discovery's work, compiled only when MCP shows up (src/hooks/mcp/index.ts loads it).
  { entry: { mcp: 'src/register/mcp-layer.ts' }, ...agentBundle },
  {
    // Runs on Node's loader thread, opt-in; imports nothing.
    entry: { 'esm-loader': 'src/hooks/esm-loader.ts' },
    format: ['esm'],
    target: 'node20',
    outExtension,
  },
  {
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    target: 'node20',
    define,
    outExtension,
    banner: { js: '#!/usr/bin/env node' },
    noExternal,
    esbuildPlugins: [zodOffGlobalThis],
    shims: true,
  },
]);
