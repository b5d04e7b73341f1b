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

/** A demo clip's first 4 s at the bundle's rate. */
async function demoPrompt(file: string, rate: number): Promise<Float32Array> {
  const clip = await decodeAudioFile(join(repoRoot, 'resources', 'demo', file));
  const [prompt] = await resample([clip.channels[0]!.subarray(0, 4 * clip.sampleRate)], clip.sampleRate, rate);
  return prompt!;
}

const pianoPrompt = (rate: number) => demoPrompt('piano-phrase.flac', rate);

/** Each kept take matches exactly one drawn take over its whole length, and no two the same one. */
function expectDrawnTakesWhole(kept: readonly Float32Array[], drawn: readonly Float32Array[]): void {
  const matches = kept.map((take) => drawn.map((candidate) => correlation(take, candidate)));
  for (const row of matches) expect(row.filter((r) => r > 0.99)).toHaveLength(1);
  expect(new Set(matches.map((row) => row.findIndex((r) => r > 0.99))).size).toBe(kept.length);
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
    expectDrawnTakesWhole(chosen.audio, every.audio);
    // By pace, the first chunk of all four rows, then the second of the two kept: one row per decoder run on the CPU.
    expect(chosen.steps.decodeChunks).toBe(4 + 2);
  });

  it('by key alone (a bundle without byPace), decodes only the takes it keeps', async () => {
    const { manifest } = bundle();
    const byKey = { ...bundle(), manifest: { ...manifest, stages: { ...manifest.stages, keyProfile: { ...manifest.stages.keyProfile!, byPace: false } } } };
    const prompt = await pianoPrompt(manifest.sampleRate);
    const chosen = await continueAudio(byKey, prompt, { seconds: 6, seed: 3, sampling: manifest.sampling, variants: 2, candidatesPerTake: 2 }, async () => undefined);
    expect(chosen.drawnTakes).toBe(4);
    expect(chosen.audio).toHaveLength(2);
    // Two kept takes, two chunks each.
    expect(chosen.steps.decodeChunks).toBe(2 * 2);
  });
});

/** The speech bundle hears 6 s of each take and compares key on that audio (hearSeconds, keyFromHeard). */
describe('choosing by what is heard of the takes', () => {
  const bundle = openedBundle(join(repoRoot, 'models', 'sketchpad-speech'));

  it('hears the bundle\'s seconds in one decoder run per take, then decodes the rest of the takes kept', async () => {
    const { manifest } = bundle();
    expect(manifest.stages.keyProfile).toMatchObject({ byPace: true, hearSeconds: 6, keyFromHeard: true });
    const prompt = await demoPrompt('speech-sentence.flac', manifest.sampleRate);
    const settings = { seconds: 9, seed: 5, sampling: manifest.sampling };
    const every = await continueAudio(bundle(), prompt, { ...settings, variants: 4, candidatesPerTake: 1 }, async () => undefined);
    const chosen = await continueAudio(bundle(), prompt, { ...settings, variants: 2, candidatesPerTake: 2 }, async () => undefined);
    expect(chosen.drawnTakes).toBe(4);
    expectDrawnTakesWhole(chosen.audio, every.audio);
    // 6 s heard of four rows in one run each, then the last 3 s of the two kept.
    expect(chosen.steps.decodeChunks).toBe(4 + 2);
    // A continuation no longer than what is heard is decoded whole before the choice.
    const short = await continueAudio(bundle(), prompt, { ...settings, seconds: 5, variants: 2, candidatesPerTake: 2 }, async () => undefined);
    expect(short.steps.decodeChunks).toBe(4);
  });
});
