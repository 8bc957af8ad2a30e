import { describe, expect, it } from 'vitest';
import { packageOfPath } from '../src/hooks/caller.js';

describe('packageOfPath', () => {
  it.each([
    ['/app/node_modules/express/lib/router/index.js', 'express'],
    ['/app/node_modules/@modelcontextprotocol/sdk/dist/cjs/client/index.js', '@modelcontextprotocol/sdk'],
    ['/app/node_modules/a/node_modules/debug/src/index.js', 'debug'],
    ['/app/node_modules/@scope/pkg', '@scope/pkg'],
    ['/app/node_modules/lodash', 'lodash'],
    ['/app/node_modules/@scope', '@scope'],
    ['/app/node_modules/@scope/', '@scope'],
    ['/app/node_modules/', undefined],
    ['/app/src/index.js', undefined],
    ['C:\\app\\node_modules\\@scope\\pkg\\index.js', '@scope/pkg'],
    ['C:\\app\\node_modules\\openai\\index.js', 'openai'],
  ])('%s is %s', (path, name) => {
    expect(packageOfPath(path)).toBe(name);
  });
});
