/**
 * Integrated loudness after ITU-R BS.1770-4: K-weighting (a high shelf then a high pass, designed
 * for the clip's own rate), mean square over 400 ms blocks with 75% overlap, an absolute gate at
 * -70 LUFS and a relative gate 10 LU below the ungated mean. Returns null where no block passes.
 */
interface Biquad { b: [number, number, number]; a: [number, number] }

function kWeightingFilters(rate: number): Biquad[] {
  // The standard's two stages, re-derived for any rate (as in pyloudnorm / libebur128).
  const shelfGain = 3.99984385397;
  const shelfQ = 0.7071752369554193;
  const shelfFc = 1681.9744509555319;
  let K = Math.tan((Math.PI * shelfFc) / rate);
  const Vh = 10 ** (shelfGain / 20);
  const Vb = Vh ** 0.499666774155;
  let a0 = 1 + K / shelfQ + K * K;
  const shelf: Biquad = {
    b: [(Vh + (Vb * K) / shelfQ + K * K) / a0, (2 * (K * K - Vh)) / a0, (Vh - (Vb * K) / shelfQ + K * K) / a0],
    a: [(2 * (K * K - 1)) / a0, (1 - K / shelfQ + K * K) / a0],
  };
  const passFc = 38.13547087613982;
  const passQ = 0.5003270373253953;
  K = Math.tan((Math.PI * passFc) / rate);
  a0 = 1 + K / passQ + K * K;
  const highPass: Biquad = { b: [1, -2, 1], a: [(2 * (K * K - 1)) / a0, (1 - K / passQ + K * K) / a0] };
  return [shelf, highPass];
}

function filter(x: ArrayLike<number>, { b, a }: Biquad): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const yi = b[0] * xi + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2;
    x2 = x1; x1 = xi; y2 = y1; y1 = yi;
    y[i] = yi;
  }
  return y;
}

export function integratedLoudness(channels: readonly Float32Array[], rate: number): number | null {
  const block = Math.round(0.4 * rate);
  const hop = Math.round(0.1 * rate);
  const frames = channels[0]?.length ?? 0;
  if (frames < block) return null;
  const [shelf, highPass] = kWeightingFilters(rate);
  const weighted = channels.map((c) => filter(filter(c, shelf!), highPass!));
  const blocks: number[] = [];
  for (let start = 0; start + block <= frames; start += hop) {
    let power = 0;
    for (const channel of weighted) {
      let sum = 0;
      for (let i = start; i < start + block; i++) sum += channel[i]! * channel[i]!;
      power += sum / block;
    }
    blocks.push(power);
  }
  const lufs = (power: number): number => -0.691 + 10 * Math.log10(power);
  const absolute = blocks.filter((p) => lufs(p) > -70);
  if (!absolute.length) return null;
  const relativeGate = lufs(absolute.reduce((s, p) => s + p, 0) / absolute.length) - 10;
  const gated = absolute.filter((p) => lufs(p) > relativeGate);
  return gated.length ? lufs(gated.reduce((s, p) => s + p, 0) / gated.length) : null;
}
