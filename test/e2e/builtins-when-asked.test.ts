/**
 * Node loads fs (and often net) for itself before the program runs. Where the module hooks see
 * every require, import and getBuiltinModule (sync hooks), aim patches them when the program
 * first asks; elsewhere, and when program code ran before aim, at startup (src/hooks/index.ts).
 * Either way the program's first use is seen.
 */
import { describe, expect, it } from 'vitest';
import { capability, fixture, hasSyncHooks, modes, registerCjs, runFixture } from '../helpers/agent-run.js';

const readsOf = (result: Awaited<ReturnType<typeof runFixture>>) => capability(result.inventories[0], 'file:read');

describe('builtins Node loaded for itself are patched when the program asks for them', () => {
  it.each(modes)('CommonJS: patched by its require, not before where hooks see every ask; its read is seen (%s)', async (mode) => {
    const result = await runFixture(fixture('core/fs-when-asked.cjs'), { mode });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.toString())).toEqual({ atFirstLine: !hasSyncHooks, afterRequire: true });
    expect(readsOf(result)?.strength).toBe('used');
  });

  it.each(modes)('ES module: patched before its first line by its import; its read is seen (%s)', async (mode) => {
    const result = await runFixture(fixture('core/fs-when-asked.mjs'), { mode });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.toString())).toEqual({ atFirstLine: true });
    expect(readsOf(result)?.strength).toBe('used');
  });

  it('a program that loads aim itself, holding fs already: patched at once, its read seen', async () => {
    const result = await runFixture(fixture('core/loads-aim-itself.cjs'), { mode: 'none', env: { REGISTER_MODULE: registerCjs } });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.toString())).toEqual({ patchedAtOnce: true });
    expect(readsOf(result)?.strength).toBe('used');
  });
});
