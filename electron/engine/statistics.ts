/** The vector scaled to unit length (all zeros stay zeros). */
export function unitLength(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(values);
  const norm = Math.hypot(...out) || 1;
  return out.map((x) => x / norm);
}

/** The dot product of two vectors of one length: the cosine where both have unit length. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The mean of the values that are there (nulls skipped); null where none is. */
export function meanOfPresent(values: readonly (number | null)[]): number | null {
  const present = values.filter((x): x is number => x !== null);
  return present.length ? present.reduce((s, x) => s + x, 0) / present.length : null;
}
