import { describe, expect, it } from 'vitest';
import { printable } from '../src/platform/index.js';

describe('printable', () => {
  it('makes control characters visible and leaves other text as it is', () => {
    expect(printable('\u001b[2J\u001b]0;owned\u0007ok\r\n')).toBe('\\x1b[2J\\x1b]0;owned\\x07ok\\x0d\\x0a');
    expect(printable('\u009b31m \u202eevil')).toBe('\\x9b31m \\u202eevil');
    expect(printable('café 日本 ✓')).toBe('café 日本 ✓');
  });

  it('cuts to the length asked, with an ellipsis', () => {
    expect(printable('abcdefgh', 5)).toBe('abcd…');
    expect(printable('abc', 5)).toBe('abc');
  });
});
