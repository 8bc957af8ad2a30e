/**
 * `aim inspect --format cyclonedx`: a real agent (npm packages, an LLM call, a stdio MCP server)
 * becomes a CycloneDX 1.6 and 1.7 BOM that validates against the official strict JSON schema
 * (@cyclonedx/cyclonedx-library's validator).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { afterAll, describe, expect, it } from 'vitest';
import { baseEnv, fixture, node, repo } from '../helpers/agent-run.js';

const work = mkdtempSync(join(tmpdir(), 'aim-cdx-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function aim(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(repo, 'dist/cli.mjs'), ...args], { env: baseEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

interface Bom {
  specVersion: string;
  metadata: { component: { name: string; properties: { name: string; value: string }[] }; tools: { components: { name: string }[] } };
  components: { type: string; name: string; group?: string; version?: string; purl?: string; publisher?: string }[];
  services: { name: string; version?: string; properties: { name: string; value: string }[] }[];
}

describe.each([
  ['cyclonedx', Spec.Version.v1dot6, '1.6'],
  ['cyclonedx-1.7', Spec.Version.v1dot7, '1.7'],
] as const)('aim inspect --format %s', (format, version, specVersion) => {
  it('writes a BOM that the official strict schema accepts, with packages, the MCP server, the model and aim: properties', async () => {
    const out = join(work, `${format}.json`);
    const result = await aim(['inspect', '--format', format, '--out', out, '--', node, fixture('policy', 'ai-bom.cjs')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('ok\n'); // --out: the program's stdout is its own
    const text = readFileSync(out, 'utf8');
    const errors = await new Validation.JsonStrictValidator(version).validate(text);
    expect(errors, JSON.stringify(errors)).toBeNull();
    const bom = JSON.parse(text) as Bom;
    expect(bom.specVersion).toBe(specVersion);
    expect(bom.metadata.tools.components[0]!.name).toBe('aim');
    expect(bom.metadata.component.name).toBe('ai-bom.cjs');
    const properties = bom.metadata.component.properties.map((p) => `${p.name}=${p.value}`);
    expect(properties).toEqual(expect.arrayContaining([expect.stringMatching(/^aim:capability=ai:model_call used \d+$/), expect.stringMatching(/^aim:capability=mcp:tool_use used/)]));
    const sdk = bom.components.find((c) => c.group === '@modelcontextprotocol' && c.name === 'sdk');
    expect(sdk?.purl).toMatch(/^pkg:npm\/%40modelcontextprotocol\/sdk@\d+\.\d+\.\d+$/);
    expect(bom.components.find((c) => c.name === 'zod')?.purl).toMatch(/^pkg:npm\/zod@/);
    const model = bom.components.find((c) => c.type === 'machine-learning-model');
    expect(model).toBeDefined();
    const [service] = bom.services;
    expect(service!.name).toBe('mcp-servers/everything');
    expect(service!.version).toMatch(/^\d+\.\d+\.\d+/);
    const serviceProps = service!.properties.map((p) => `${p.name}=${p.value}`);
    expect(serviceProps).toEqual(expect.arrayContaining(['aim:mcp:transport=stdio', 'aim:mcp:toolCalled=echo']));
  });
});

it('aim inspect --format cyclonedx to stdout: the BOM alone, the program\'s stdout on stderr', async () => {
  const result = await aim(['inspect', '--format', 'cyclonedx', '--', node, fixture('policy', 'ai-bom.cjs')]);
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).bomFormat).toBe('CycloneDX');
  expect(result.stderr).toContain('ok\n');
});

it('refuses an unknown format with one line and exit code 2', async () => {
  const result = await aim(['inspect', '--format', 'spdx', '--', node, '-e', '0']);
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/unknown format "spdx"/);
});
