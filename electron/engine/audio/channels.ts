/** The mean of all channels: what analysis and the models hear. */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  const first = channels[0];
  if (!first) return new Float32Array(0);
  if (channels.length === 1) return first;
  const out = new Float32Array(first.length);
  for (const channel of channels) for (let i = 0; i < out.length; i++) out[i]! += channel[i]!;
  const scale = 1 / channels.length;
  for (let i = 0; i < out.length; i++) out[i]! *= scale;
  return out;
}

/** Keeps stereo as it is, folds more channels to stereo, so playback stays faithful and light. */
export function toAtMostStereo(channels: readonly Float32Array[]): Float32Array[] {
  if (channels.length <= 2) return [...channels];
  const left = downmix(channels.filter((_, i) => i % 2 === 0));
  const right = downmix(channels.filter((_, i) => i % 2 === 1));
  return [left, right];
}
