/**
 * What every process pays for: dist/agent.cjs, compiled at startup. It may ask Node only for the
 * builtins the hooks need; a stray import elsewhere in its graph (node:crypto through the report
 * door cost 8 ms on Node 20 and 13 ms on Node 24) is startup time every program loses. The MCP
 * layer and the reporter are separate files, loaded only when MCP shows up or there is something
 * to send; inference, the inventory and the sinks are dist/core.cjs, loaded when something reads
 * the inventory. Runs on the build `npm test` makes first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repo } from './helpers/agent-run.js';

const agent = readFileSync(join(repo, 'dist/agent.cjs'), 'utf8');

/** The builtins the startup bundle may load, and why each is worth its cost. */
const startupBuiltins: Record<string, string> = {
  diagnostics_channel: 'the network, child process and worker channels',
  module: 'the module hooks',
  path: 'paths of modules and files',
  url: 'file: URLs of ES modules',
  util: 'already loaded by Node',
  worker_threads: 'whether this is a worker, and joining workers',
};

describe('the startup bundle', () => {
  it('loads only the builtins it needs', () => {
    const required = [...new Set([...agent.matchAll(/require\("(?:node:)?([a-z_/]+)"\)/g)].map((m) => m[1]!))].sort();
    expect(required).toEqual(Object.keys(startupBuiltins).sort());
  });

  it('stays within 36 KB (issue 18: size is parse time and young allocation every process pays)', () => {
    expect(Buffer.byteLength(agent)).toBeLessThanOrEqual(36 * 1024);
  });

  it('leaves inference, the inventory, redaction and the sinks to dist/core.cjs', () => {
    const core = readFileSync(join(repo, 'dist/core.cjs'), 'utf8');
    expect(agent).toContain('core.cjs');
    // Redaction's patterns and the risk table: read-time work, not startup's.
    for (const text of ['[REDACTED]', 'credential-read', 'partial:bundled']) {
      expect(core).toContain(text);
      expect(agent).not.toContain(text);
    }
  });

  it('leaves the MCP layer and the reporter to their own files', () => {
    expect(agent).toContain('mcp.cjs');
    expect(agent).toContain('reporter.cjs');
    // zod is the reporter's; reading JSON-RPC (tool calls) is the MCP layer's.
    const layer = readFileSync(join(repo, 'dist/mcp.cjs'), 'utf8');
    const reporter = readFileSync(join(repo, 'dist/reporter.cjs'), 'utf8');
    expect(reporter).toContain('ZodError');
    expect(agent).not.toContain('ZodError');
    expect(layer).toContain('tools/call');
    expect(agent).not.toContain('tools/call');
  });
});

describe('the doors (dist/register.mjs and .cjs)', () => {
  // V8 compiles them from source in every process: they are what loads the code cache.
  for (const door of ['register.mjs', 'register.cjs']) {
    const text = readFileSync(join(repo, 'dist', door), 'utf8');

    it(`${door} stays within 4 KB and knows its door without parsing a URL`, () => {
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4 * 1024);
      expect(text).not.toMatch(/node:url|fileURLToPath/);
      expect(text).toContain(door.endsWith('.mjs') ? '"import"' : '"require"');
    });
  }
});
