import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importSpecifier,
  isAimRegister,
  parseNodeOptions,
  preloadSpecifiers,
  quoteNodeOption,
  withAgentPreloaded,
} from '../../src/cli/node-options.js';

const REG = '/opt/aim/dist/register.mjs';

describe('parseNodeOptions (mirrors Node)', () => {
  it('splits on spaces only', () => {
    expect(parseNodeOptions('  --a   --b=1 ')).toEqual(['--a', '--b=1']);
    expect(parseNodeOptions('--a\t--b')).toEqual(['--a\t--b']);
  });
  it('handles quotes and escapes inside quotes only', () => {
    expect(parseNodeOptions('--import "/x y/r.mjs" -r a\\b')).toEqual(['--import', '/x y/r.mjs', '-r', 'a\\b']);
    expect(parseNodeOptions('--import="/x \\"q\\" \\\\ y"')).toEqual(['--import=/x "q" \\ y']);
  });
});

describe('quoteNodeOption', () => {
  it('leaves plain paths alone', () => {
    expect(quoteNodeOption('/a/b\\c.mjs')).toBe('/a/b\\c.mjs');
  });
  it('quotes spaces and quotes, escaping backslashes and quotes', () => {
    expect(quoteNodeOption('/a b/r.mjs')).toBe('"/a b/r.mjs"');
    expect(quoteNodeOption('/a"b\\ c')).toBe('"/a\\"b\\\\ c"');
  });
  it('round-trips through the parser', () => {
    for (const p of ['/x', '/a b', '/a "b" c', '/a\\ b', '/tr\\', '"', ' lead', 'a  b']) {
      expect(parseNodeOptions(`--import ${quoteNodeOption(p)} --x`)).toEqual(['--import', p, '--x']);
    }
  });
});

describe('preloadSpecifiers / isAimRegister', () => {
  it('finds every preload form', () => {
    expect(preloadSpecifiers(['--import', 'a', '--require=b', '-r', 'c', '-r=d', '--inspect', '--import'])).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });
  it('recognises aim by package name, path, file URL and sibling format', () => {
    expect(isAimRegister('aim/register', REG)).toBe(true);
    expect(isAimRegister(REG, REG)).toBe(true);
    expect(isAimRegister('/opt/aim/dist/../dist/register.mjs', REG)).toBe(true);
    expect(isAimRegister(pathToFileURL(REG).href, REG)).toBe(true);
    expect(isAimRegister('/opt/aim/dist/register.cjs', REG)).toBe(true);
    expect(isAimRegister('/opt/other/dist/register.mjs', REG)).toBe(false);
    expect(isAimRegister('tsx', REG)).toBe(false);
    expect(isAimRegister('aim/register-x', REG)).toBe(false);
    expect(isAimRegister('./register.mjs', REG)).toBe(false);
  });
});

describe('withAgentPreloaded', () => {
  it('adds the flag when NODE_OPTIONS is absent or blank, and copies env', () => {
    const env = { PATH: '/bin' };
    const out = withAgentPreloaded(env, REG);
    expect(out).toEqual({ PATH: '/bin', NODE_OPTIONS: `--import ${REG}` });
    expect(out).not.toBe(env);
    expect(env).toEqual({ PATH: '/bin' });
    expect(withAgentPreloaded({ NODE_OPTIONS: '  ' }, REG).NODE_OPTIONS).toBe(`--import ${REG}`);
  });
  it('appends after what is there', () => {
    expect(withAgentPreloaded({ NODE_OPTIONS: '--max-old-space-size=64 --import tsx' }, REG).NODE_OPTIONS).toBe(
      `--max-old-space-size=64 --import tsx --import ${REG}`,
    );
  });
  it('quotes a path with spaces', () => {
    expect(withAgentPreloaded({}, '/my apps/aim/dist/register.mjs').NODE_OPTIONS).toBe(
      '--import "/my apps/aim/dist/register.mjs"',
    );
  });
  it('uses --require for the CommonJS register (a path, never a URL)', () => {
    expect(withAgentPreloaded({ NODE_OPTIONS: '-x' }, '/srv/app #1/dist/register.cjs').NODE_OPTIONS).toBe(
      '-x --require "/srv/app #1/dist/register.cjs"',
    );
    expect(withAgentPreloaded({ NODE_OPTIONS: '--import /opt/aim/dist/register.mjs' }, '/opt/aim/dist/register.cjs').NODE_OPTIONS).toBe(
      '--import /opt/aim/dist/register.mjs',
    );
  });

  it('does not add it twice', () => {
    for (const existing of [
      `--import ${REG}`,
      `--import=${REG}`,
      '--import aim/register',
      '--require aim/register',
      '-r aim/register',
      '--require /opt/aim/dist/register.cjs',
      `--import ${pathToFileURL(REG).href}`,
      `--trace-warnings --import "${REG}" --x`,
    ]) {
      expect(withAgentPreloaded({ NODE_OPTIONS: existing }, REG).NODE_OPTIONS).toBe(existing);
    }
    const once = withAgentPreloaded({}, '/a b/register.mjs');
    expect(withAgentPreloaded(once, '/a b/register.mjs').NODE_OPTIONS).toBe(once.NODE_OPTIONS);
  });
});

describe('importSpecifier', () => {
  it('uses the path unless the ESM resolver would read URL syntax in it', () => {
    expect(importSpecifier('/a b/"c"/r.mjs')).toBe('/a b/"c"/r.mjs');
    expect(importSpecifier('/srv/app #1/r.mjs')).toBe('file:///srv/app%20%231/r.mjs');
    expect(importSpecifier('/srv/100%/r.mjs')).toBe('file:///srv/100%25/r.mjs');
    expect(importSpecifier('/srv/q?/r.mjs')).toBe('file:///srv/q%3F/r.mjs');
  });
  it('is recognised as aim on the next pass', () => {
    const reg = '/srv/app #1/dist/register.mjs';
    const once = withAgentPreloaded({}, reg);
    expect(once.NODE_OPTIONS).toBe('--import file:///srv/app%20%231/dist/register.mjs');
    expect(withAgentPreloaded(once, reg).NODE_OPTIONS).toBe(once.NODE_OPTIONS);
  });
});

describe('real node reads what we write', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aim node options "q" '));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('preloads a register path with spaces and quotes, keeping earlier options', () => {
    const reg = path.join(dir, 'register.mjs');
    fs.writeFileSync(reg, 'globalThis.__loaded = (globalThis.__loaded ?? 0) + 1;\n');
    const other = path.join(dir, 'other x.cjs');
    fs.writeFileSync(other, 'globalThis.__other = true;\n');
    const env = withAgentPreloaded(
      { ...process.env, NODE_OPTIONS: `--require ${quoteNodeOption(other)}` },
      reg,
    );
    const twice = withAgentPreloaded(env, reg);
    const node = process.env.AIM_TEST_NODE ?? process.execPath;
    const out = execFileSync(node, ['-e', 'process.stdout.write(JSON.stringify([globalThis.__loaded, globalThis.__other]))'], {
      env: twice,
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual([1, true]);
  });

  it('preloads a register path with URL characters (#, %, ?) in it', () => {
    const sub = path.join(dir, 'app #1 100% ?');
    fs.mkdirSync(sub);
    const reg = path.join(sub, 'register.mjs');
    fs.writeFileSync(reg, 'globalThis.__loaded = (globalThis.__loaded ?? 0) + 1;\n');
    const env = withAgentPreloaded(withAgentPreloaded({ ...process.env, NODE_OPTIONS: '' }, reg), reg);
    const node = process.env.AIM_TEST_NODE ?? process.execPath;
    const out = execFileSync(node, ['-e', 'process.stdout.write(String(globalThis.__loaded))'], { env, encoding: 'utf8' });
    expect(out).toBe('1');
  });

  it('--require keeps require.extensions working for the main entry; any --import does not (ts-node style)', () => {
    const hook = path.join(dir, 'hook.cjs');
    fs.writeFileSync(
      hook,
      `require.extensions['.txtjs'] = (m, file) => m._compile(require('fs').readFileSync(file, 'utf8').replace('HOOK-MARK', 'custom main'), file);\n`,
    );
    const main = path.join(dir, 'main.txtjs');
    fs.writeFileSync(main, 'process.stdout.write("HOOK-MARK")\n');
    for (const name of ['register.cjs', 'register.mjs']) fs.writeFileSync(path.join(dir, name), '\n');
    const node = process.env.AIM_TEST_NODE ?? process.execPath;
    const run = (registerFile: string) => {
      const env = withAgentPreloaded({ ...process.env, NODE_OPTIONS: '' }, path.join(dir, registerFile));
      return spawnSync(node, ['-r', hook, main], { env, encoding: 'utf8' });
    };
    expect(run('register.cjs').stdout).toBe('custom main');
    const viaImport = run('register.mjs');
    expect(viaImport.status).not.toBe(0);
    expect(viaImport.stderr).toMatch(/ERR_UNKNOWN_FILE_EXTENSION|SyntaxError|Unknown file extension/);
  });
});
