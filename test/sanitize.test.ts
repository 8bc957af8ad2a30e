/**
 * What others wrote, made safe to print and to send (src/platform/sanitize.ts): property-based
 * over any string, plus the escape sequences a hostile server would really send.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanName, sanitize, sanitizeLines } from '../src/platform/sanitize.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const anyText = fc.string({ unit: 'binary', maxLength: 400 });

describe('sanitize', () => {
  it('never returns a control character, and never more than the bound', () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 2, max: 300 }), (text, max) => {
        const out = sanitize(text, max);
        expect(out).not.toMatch(CONTROL);
        expect(out.length).toBeLessThanOrEqual(max);
      }),
    );
  });

  it('leaves clean text as it is', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }).filter((s) => !CONTROL.test(s)), (text) => {
        expect(sanitize(text, 200)).toBe(text);
      }),
    );
  });

  it('never cuts a surrogate pair in two', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.integer({ min: 2, max: 50 }), (text, max) => {
        const out = sanitize(text, max);
        expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      }),
    );
  });

  it.each([
    ['clear screen', 'a\u001b[2Jb', 'a[2Jb'],
    ['window title (OSC)', '\u001b]0;pwned\u0007name', ']0;pwnedname'],
    ['C1 CSI', 'a\u009b2Jb', 'a2Jb'],
    ['a faked line', 'name\nok    all fine', 'name ok    all fine'],
    ['carriage return over the line', 'bad\rgood', 'bad good'],
    ['bidi override', 'abc\u202edcba', 'abcdcba'],
    ['backspaces', 'secret\b\b\b\b\b\bpublic', 'secretpublic'],
  ])('%s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  it('keeps line breaks only where asked', () => {
    expect(sanitizeLines('one\u001b[2J\ntwo')).toBe('one\\x1b[2J\ntwo');
  });
});

describe('cleanName', () => {
  it('also redacts a credential in a name', () => {
    expect(cleanName('github ghp_1234567890abcdefghijABCDEFGHIJ123456')).toBe('github [REDACTED]');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const once = cleanName(text);
        expect(cleanName(once)).toBe(once);
      }),
    );
  });
});
