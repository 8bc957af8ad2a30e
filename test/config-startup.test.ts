/**
 * The startup checks (zod-free, config/names.ts) and the schema (zod, config/schema.ts) give the
 * same answer for any value: property-based over arbitrary strings and the shapes near the valid ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig, startupChecks } from '../src/config/index.js';

const near = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('1', '0', 'true', 'TRUE', 'yes', 'off', 'disabled', 'maybe', 'debug', 'DEBUG', 'silent', 'auto', 'signed', 'api-key', 'grant', 'request', 'off', '60000', '60001', '007', '-1', '1e3'),
  fc.webUrl({ validSchemes: ['http', 'https', 'ftp', 'file'] }),
  fc.constantFrom('http://', 'https://x', 'http://[::1]:80', 'not-a-url', 'https://a b', 'x'.repeat(256)),
);

describe('startup checks agree with the schema', () => {
  for (const name of Object.keys(startupChecks)) {
    it(name, () => {
      fc.assert(
        fc.property(near, (raw) => {
          const value = raw.trim();
          fc.pre(value !== '');
          const rejectedBySchema = loadConfig({ AIM_LOG_LEVEL: name === 'AIM_LOG_LEVEL' ? raw : 'silent', [name]: raw }).invalid.includes(name);
          expect(startupChecks[name]!.valid(value)).toBe(!rejectedBySchema);
        }),
        { numRuns: 300 },
      );
    });
  }
});
