/**
 * The Node binary the end-to-end tests run fixtures on (AIM_TEST_NODE, which CI sets once per
 * version, or the one running vitest), what it can do, and which fixtures need more than the
 * oldest supported Node. What the agent can do on that Node is read from the agent's own feature
 * table (src/platform/features.ts), never copied, so a test and the agent cannot disagree.
 */
import { execFileSync } from 'node:child_process';
import { featuresOf, parseVersion, type Version } from '../../src/platform/features.js';

export const node = process.env.AIM_TEST_NODE || process.execPath;

const versionText = node === process.execPath ? process.version : execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
export const nodeVersion: Version = parseVersion(versionText);
export const nodeFeatures = featuresOf(versionText);
/** module.registerHooks: ES modules are seen as they load (else only CommonJS, via require.cache). */
export const hasSyncHooks = nodeFeatures.syncModuleHooks;

/**
 * Whether the node under test is in `range`: comparators (`>=22.6`, `<23`, `22`) joined by spaces
 * must all hold; alternatives are joined by `||`. Missing minor and patch count as 0, except in a
 * bare version, which means that whole major.
 */
export function nodeIn(range: string): boolean {
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .split(/\s+/)
      .every((comparator) => holds(comparator)),
  );
}

function holds(comparator: string): boolean {
  const match = /^(>=|<=|>|<|=)?v?(\d+(?:\.\d+){0,2})$/.exec(comparator);
  if (!match) throw new Error(`not a Node range comparator: ${comparator}`);
  const [, op = '', text = ''] = match;
  const wanted = parseVersion(text);
  const diff = nodeVersion[0] - wanted[0] || nodeVersion[1] - wanted[1] || nodeVersion[2] - wanted[2];
  if (op === '') return text.includes('.') ? diff === 0 : nodeVersion[0] === wanted[0];
  return { '>=': diff >= 0, '<=': diff <= 0, '>': diff > 0, '<': diff < 0, '=': diff === 0 }[op]!;
}

/**
 * Fixtures that do not run on every supported Node, with the range they run on and why. A test
 * of one of them asks `runsHere(fixture)`; every other fixture runs on every Node.
 */
export const fixtureNodeRanges: Readonly<Record<string, { range: string; why: string }>> = {
  'core/capabilities.ts': { range: '>=22.6', why: 'TypeScript by type stripping' },
  'compat/strip-types/app.ts': { range: '>=22.6', why: 'TypeScript by type stripping' },
  'mcp/ai-sdk-stdio.mjs': { range: '>=22', why: '@ai-sdk/mcp needs Node 22' },
  'mcp/ai-sdk-http.mjs': { range: '>=22', why: '@ai-sdk/mcp needs Node 22' },
  'mcp/v1-websocket.mjs': { range: '>=22', why: 'Node 20 has no global WebSocket without a flag' },
};

/** Whether `fixture` (a path under fixtures/) runs on the node under test. */
export function runsHere(fixture: string): boolean {
  const declared = fixtureNodeRanges[fixture];
  return declared === undefined || nodeIn(declared.range);
}

/** The flags that make this node strip types (unflagged from 22.18 and 23.6). */
export const stripTypesFlags: string[] = nodeIn('>=22.18 <23 || >=23.6') ? [] : ['--experimental-strip-types'];
