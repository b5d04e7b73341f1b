import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../electron/engine/audio/decodeAudio';
import { resample } from '../../electron/engine/audio/resample';
import { continueAudio } from '../../electron/engine/pipeline/continuation';
import { openedBundle } from '../fixtures/openedBundle';
import { repoRoot } from '../fixtures/paths';

/** Pearson correlation: 1 for the same waveform at any gain. */
function correlation(a: Float32Array, b: Float32Array): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! ** 2;
    bb += b[i]! ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

/** The demo piano clip's first 4 s at the bundle's rate. */
async function pianoPrompt(rate: number): Promise<Float32Array> {
  const clip = await decodeAudioFile(join(repoRoot, 'resources', 'demo', 'piano-phrase.flac'));
  const [prompt] = await resample([clip.channels[0]!.subarray(0, 4 * clip.sampleRate)], clip.sampleRate, rate);
  return prompt!;
}

/** The piano bundle draws more takes than asked, hears the first decoder chunk of each and decodes only those it keeps to the end. */
describe('choosing among the takes drawn', () => {
  const bundle = openedBundle(join(repoRoot, 'models', 'sketchpad-piano'));

  it('keeps takes that are the drawn ones whole, past the first decoder chunk (6 s: two chunks)', async () => {
    const prompt = await pianoPrompt(bundle().manifest.sampleRate);
    const settings = { seconds: 6, seed: 3, sampling: bundle().manifest.sampling };
    // Rows draw from their own random streams, so the four rows of a two-of-four run are these four takes.
    const every = await continueAudio(bundle(), prompt, { ...settings, variants: 4, candidatesPerTake: 1 }, async () => undefined);
    const chosen = await continueAudio(bundle(), prompt, { ...settings, variants: 2, candidatesPerTake: 2 }, async () => undefined);
    expect(every.drawnTakes).toBe(4);
    expect(chosen.drawnTakes).toBe(4);
    expect(chosen.audio).toHaveLength(2);
    expect(chosen.timings.choose).toBeGreaterThan(0);
    const matches = chosen.audio.map((take) => every.audio.map((drawn) => correlation(take, drawn)));
    for (const row of matches) expect(Math.max(...row)).toBeGreaterThan(0.99);
    // Two different takes kept, each matching one drawn take over its whole length.
    const rows = matches.map((row) => row.indexOf(Math.max(...row)));
    expect(new Set(rows).size).toBe(2);
    for (const row of matches) expect(row.filter((r) => r > 0.99)).toHaveLength(1);
    // By pace, the first chunk of all four rows (two decoder runs of two), then the second of the two kept.
    expect(chosen.steps.decodeChunks).toBe(3);
  });

  it('by key alone (a bundle without byPace), decodes only the takes it keeps', async () => {
    const { manifest } = bundle();
    const byKey = { ...bundle(), manifest: { ...manifest, stages: { ...manifest.stages, keyProfile: { ...manifest.stages.keyProfile!, byPace: false } } } };
    const prompt = await pianoPrompt(manifest.sampleRate);
    const chosen = await continueAudio(byKey, prompt, { seconds: 6, seed: 3, sampling: manifest.sampling, variants: 2, candidatesPerTake: 2 }, async () => undefined);
    expect(chosen.drawnTakes).toBe(4);
    expect(chosen.audio).toHaveLength(2);
    expect(chosen.steps.decodeChunks).toBe(2);
  });
});
