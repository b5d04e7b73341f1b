import type { Session } from '../runtime/onnxSession';
import { floats, int64 } from '../runtime/onnxSession';
import { unitLength } from '../statistics';

/**
 * The pitch-class profiles of runs of coarse codes, by the bundle's key profile (the mean chroma
 * each first-level code stood for in the training audio, summed over the run): one 12-value
 * profile per run, scaled to unit length. runs: [run][level][frame], all of one length (one
 * tensor): the prompt and the drawn takes go separately.
 */
export async function keyProfiles(session: Session, runs: readonly (readonly Int32Array[])[]): Promise<Float64Array[]> {
  const levels = runs[0]?.length ?? 0;
  const frames = runs[0]?.[0]?.length ?? 0;
  const flat: number[] = [];
  for (const run of runs) for (const level of run) flat.push(...level);
  const result = await session.run({ codes: int64(flat, [runs.length, levels, frames]) });
  const profiles = floats(result.profile!);
  return runs.map((_, r) => unitLength(profiles.subarray(r * 12, (r + 1) * 12)));
}
