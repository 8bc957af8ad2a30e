/**
 * The bench's budget verdict (bench/lib/analyze.mjs): a median over its limit is a failure only
 * when the limit is outside the band the cell shows (median ±IQR/2); inside it, the rounds
 * straddle the limit and the line says so instead of passing or failing.
 */
import { describe, expect, it } from 'vitest';

type Verdict = (pass: boolean | null, value?: number, bound?: number, noise?: number) => string;
const analyze = '../bench/lib/analyze.mjs';
const { verdict } = (await import(analyze)) as { verdict: Verdict };

describe('bench budget verdict', () => {
  it('passes a median within the limit, whatever the noise', () => {
    expect(verdict(true, 9.9, 10, 30)).toBe('PASS');
  });

  it('calls a median over the limit by less than half the IQR "over, in noise"', () => {
    expect(verdict(false, 10.1, 10, 12.2)).toBe('over, in noise');
    expect(verdict(false, 20.3, 20, 3.6)).toBe('over, in noise');
  });

  it('fails a median over the limit by more than half the IQR', () => {
    expect(verdict(false, 14, 10, 5.8)).toBe('FAIL');
  });

  it('fails a line that has no spread or no numeric limit', () => {
    expect(verdict(false, 10.1, 10, undefined)).toBe('FAIL');
    expect(verdict(false)).toBe('FAIL');
    expect(verdict(null)).toBe('n/a');
  });
});
