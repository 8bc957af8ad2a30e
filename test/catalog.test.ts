import { describe, expect, it } from 'vitest';
import { builtinRows, capabilityOfCall, launcherOf, llmProvider, packageRow, possibleCapabilities } from '../src/catalog/index.js';

const row = (module: string, api: string) => builtinRows.find((r) => r.module === module && r.api === api)!;

describe('the capability catalog', () => {
  it('maps fs.open by its flags', () => {
    const open = row('fs', 'openSync');
    expect(possibleCapabilities(open)).toEqual(['file:read', 'file:write']);
    expect(capabilityOfCall(open, ['/x'])).toBe('file:read');
    expect(capabilityOfCall(open, ['/x', 'r'])).toBe('file:read');
    expect(capabilityOfCall(open, ['/x', 'a+'])).toBe('file:write');
    expect(capabilityOfCall(open, ['/x', 1])).toBe('file:write');
  });

  it('maps node:sqlite statements by their verb', () => {
    const exec = row('sqlite', 'DatabaseSync.prototype.exec');
    expect(capabilityOfCall(exec, ['SELECT 1'])).toBe('db:read');
    expect(capabilityOfCall(exec, ['  with t as (select 1) select * from t'])).toBe('db:read');
    expect(capabilityOfCall(exec, ['INSERT INTO t VALUES (1)'])).toBe('db:write');
    expect(capabilityOfCall(exec, ['DROP TABLE t'])).toBe('db:write');
  });

  it('has one row per builtin function', () => {
    const keys = builtinRows.map((r) => `${r.module}.${r.api}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(row('child_process', 'spawn').capability).toBe('system:exec');
    expect(row('fs', 'rmSync').capability).toBe('file:delete');
  });

  it('finds packages by name and by scope', () => {
    expect(packageRow('openai')?.capabilities).toEqual(['ai:model_call']);
    expect(packageRow('@langchain/openai')?.kind).toBe('langchain');
    expect(packageRow('pg')?.capabilities).toEqual(['db:read', 'db:write']);
    expect(packageRow('left-pad')).toBeUndefined();
  });

  it('classifies LLM requests by host or path', () => {
    expect(llmProvider('api.openai.com', '/v1/anything')).toBe('openai');
    expect(llmProvider('my-resource.openai.azure.com', '/openai/deployments/x')).toBe('azure-openai');
    expect(llmProvider('gateway.internal', '/v1/chat/completions')).toBe('openai-compatible');
    expect(llmProvider('127.0.0.1', '/api/chat')).toBe('ollama');
    expect(llmProvider('example.com', '/v1/users')).toBeUndefined();
  });

  it('knows the launchers', () => {
    expect(launcherOf('/usr/lib/node_modules/npm/bin/npm-cli.js')).toBe('npm');
    expect(launcherOf('/usr/lib/node_modules/npm/bin/npx-cli.js')).toBe('npx');
    expect(launcherOf('/app/node_modules/tsx/dist/cli.mjs')).toBe('tsx');
    expect(launcherOf('/app/server.js')).toBeUndefined();
    expect(launcherOf('/usr/lib/node_modules/yarn/bin/yarn.js')).toBe('yarn');
    expect(launcherOf('/repo/.yarn/releases/yarn-4.5.0.cjs')).toBe('yarn');
    expect(launcherOf('/usr/local/bin/pnpm')).toBe('pnpm');
    expect(launcherOf('/app/a.test.js', ['--test'])).toBe('node-test-runner');
    expect(launcherOf('/app/a.test.js', ['--test-only'])).toBeUndefined();
  });
});
