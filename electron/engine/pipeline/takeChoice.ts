/** Each value's rank (0 = smallest); equal values share the mean of their places, so a tie favours neither. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const rank = new Array<number>(values.length);
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    for (let place = start; place <= end; place++) rank[order[place]!.index] = (start + end) / 2;
    start = end + 1;
  }
  return rank;
}

/** Onset rates of the prompt and of each take drawn, for choosing by pace too. */
export interface Pace {
  readonly prompt: number;
  readonly takes: readonly number[];
}

/**
 * The rows of the `keep` takes nearest the prompt: by key (cosine of each take's key profile with
 * the prompt's, highest first) and, given `pace`, by key and pace together: a take's rank by key
 * plus its rank by how far its onset rate lies from the prompt's. Ranks, not raw distances, because
 * the two are in unrelated units and a cosine near 1 spreads far less than onset rates do. Ties go
 * to the nearer key, then the earlier row; rows come back in drawn order so each kept take keeps
 * its own random stream.
 */
export function nearestTakes(keySimilarities: readonly number[], keep: number, pace?: Pace): number[] {
  const keyRank = ranks(keySimilarities.map((similarity) => -similarity));
  const paceRank = pace ? ranks(pace.takes.map((rate) => Math.abs(rate - pace.prompt))) : keyRank.map(() => 0);
  return keyRank
    .map((_, row) => row)
    .sort((a, b) => keyRank[a]! + paceRank[a]! - (keyRank[b]! + paceRank[b]!) || keyRank[a]! - keyRank[b]! || a - b)
    .slice(0, keep)
    .sort((a, b) => a - b);
}
