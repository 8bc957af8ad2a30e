// Small robust statistics: medians and inter-quartile ranges (the machine is shared and noisy).
export function quantile (values, q) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (s.length === 0) return NaN
  const pos = (s.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return s[lo] + (s[hi] - s[lo]) * (pos - lo)
}
export const median = (v) => quantile(v, 0.5)
/** { median, q1, q3, iqr, n } */
export function summary (values) {
  const v = values.filter((x) => Number.isFinite(x))
  const q1 = quantile(v, 0.25)
  const q3 = quantile(v, 0.75)
  return { median: quantile(v, 0.5), q1, q3, iqr: q3 - q1, n: v.length }
}
/** Fisher-Yates shuffle with a seeded PRNG, so an order can be reproduced. */
export function shuffled (items, rand) {
  const a = [...items]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]]
  }
  return a
}
export function prng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
