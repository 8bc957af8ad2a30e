/**
 * The catalog's MCP client table against the real client packages installed as dev dependencies
 * (@ai-sdk/mcp 1.x as the alias @ai-sdk/mcp-v1): a renamed or moved file in a new release fails
 * here instead of silently going unseen.
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mcpClientFiles, mcpClientPackages, type McpClientFile } from '../src/catalog/index.js';
import { MCP_CLIENT_MODULES } from '../src/hooks/mcp/index.js';
import { classifyModule } from '../src/hooks/mcp/client-modules.js';

const modules = join(import.meta.dirname, '..', 'node_modules');
const require = createRequire(join(modules, '..', 'package.json'));

interface Installed {
  dir: string;
  major: number;
}

/** Every installed copy of a package, aliases included (their package.json keeps the real name). */
function installed(name: string): Installed[] {
  const scopes = readdirSync(modules).filter((d) => d.startsWith('@'));
  const dirs = [...scopes.flatMap((scope) => readdirSync(join(modules, scope)).map((d) => join(modules, scope, d))), ...readdirSync(modules).map((d) => join(modules, d))];
  return dirs.flatMap((dir) => {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) return [];
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    return pkg.name === name ? [{ dir, major: Number.parseInt(pkg.version ?? '0', 10) }] : [];
  });
}

function fits(row: McpClientFile, major: number): boolean {
  const range = row.versions;
  if (!range) return true;
  return range.startsWith('>=') ? major >= Number(range.slice(2)) : major === Number(range);
}

/** CommonJS or ES module, as Node decides: the extension, else the nearest package.json's type. */
function flavorOf(file: string): 'cjs' | 'esm' {
  if (file.endsWith('.cjs')) return 'cjs';
  if (file.endsWith('.mjs')) return 'esm';
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module' ? 'esm' : 'cjs';
  }
  return 'cjs';
}

describe('the MCP client table (catalog/mcp-clients.ts)', () => {
  const rows = mcpClientFiles.map((row) => [`${row.package}${row.versions ? `@${row.versions}` : ''} ${row.file}`, row] as const);

  it.each(rows)('%s exists in the installed package, with the flavor the table says', (_, row) => {
    const copies = installed(row.package).filter((copy) => fits(row, copy.major));
    expect(copies.length, `no installed ${row.package} ${row.versions ?? ''}`).toBeGreaterThan(0);
    for (const copy of copies) {
      const file = join(copy.dir, row.file);
      expect(existsSync(file), file).toBe(true);
      expect(flavorOf(file), file).toBe(row.flavor);
    }
  });

  it.each(rows)('%s is recognised by the hooks as what the table says', (_, row) => {
    // Where an app has it: node_modules/<package>/<file> (the test's aliases live elsewhere).
    const module = classifyModule(join(modules, row.package, row.file));
    expect(module).toMatchObject({ library: row.package, client: row.role === 'client' });
    expect(module?.transport).toBe(row.transport);
    // Two versions may share a path with different flavors; only client modules are adopted by flavor.
    if (row.role === 'client') expect(module?.flavor).toBe(row.flavor);
  });

  it('the require hook watches every require name; each that the installed package exports loads its row', () => {
    for (const row of mcpClientFiles) {
      const loading = (row.requireNames ?? []).filter((name) => {
        expect(MCP_CLIENT_MODULES).toContain(name);
        try {
          return require.resolve(name) === realpathSync(join(modules, row.package, row.file));
        } catch {
          return false; // a deep path an exports map hides (older releases had none)
        }
      });
      if (row.flavor === 'cjs' && row.requireNames) expect(loading.length, row.file).toBeGreaterThan(0);
    }
  });

  it('names every client library, also those only seen in a stack', () => {
    expect(mcpClientPackages()).toEqual(['@modelcontextprotocol/sdk', '@modelcontextprotocol/client', '@ai-sdk/mcp', '@langchain/mcp-adapters']);
  });
});
