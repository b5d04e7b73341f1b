import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyProfiles } from '../../electron/engine/pipeline/keyRanking';
import { dot } from '../../electron/engine/statistics';
import { encodeAudio } from '../../electron/engine/tokenizers/acousticTokenizer';
import { repoRoot } from '../fixtures/paths';
import { openedBundle } from '../fixtures/openedBundle';

const rate = 24000;
const midiHz = (note: number): number => 440 * 2 ** ((note - 69) / 12);

/** Two seconds of a struck chord, re-struck every half second: decaying harmonic tones, piano-like. */
function chord(notes: number[]): Float32Array {
  const out = new Float32Array(2 * rate);
  for (let strike = 0; strike < 4; strike++) {
    for (const note of notes) {
      const f = midiHz(note);
      for (let i = 0; i < rate / 2; i++) {
        const t = i / rate;
        const tone = Math.sin(2 * Math.PI * f * t) + 0.5 * Math.sin(4 * Math.PI * f * t) + 0.25 * Math.sin(6 * Math.PI * f * t);
        out[strike * (rate / 2) + i]! += (0.1 * Math.exp(-4 * t) * tone);
      }
    }
  }
  return out;
}

/** The piano bundle's key profile: what its first-level codes sound like in pitch classes. */
describe('the piano bundle\'s key profile', () => {
  const bundle = openedBundle(join(repoRoot, 'models', 'sketchpad-piano'));

  const profileOf = async (notes: number[]) => {
    const codes = await encodeAudio(bundle().sessions.codecEncoder, chord(notes), bundle().manifest.acoustic.levels);
    const [profile] = await keyProfiles(bundle().sessions.keyProfile!, [codes.slice(0, bundle().manifest.acoustic.coarseLevels)]);
    return profile!;
  };

  it('hears a chord\'s notes in its codes alone, and tells keys apart by them', async () => {
    expect(bundle().sessions.keyProfile).toBeDefined();
    const cMajor = await profileOf([60, 64, 67]);
    const strongest = Array.from(cMajor.keys()).sort((a, b) => cMajor[b]! - cMajor[a]!).slice(0, 4);
    // C, E and G among the four strongest classes (a tone's harmonics add G and E of their own).
    for (const pc of [0, 4, 7]) expect(strongest).toContain(pc);
    const fSharpMajor = await profileOf([66, 70, 73]);
    const cMajorHigher = await profileOf([72, 76, 79]);
    // Codes of C major an octave up lie nearer a C major prompt than codes of F# major do.
    expect(dot(cMajor, cMajorHigher)).toBeGreaterThan(dot(cMajor, fSharpMajor) + 0.1);
  });
});
