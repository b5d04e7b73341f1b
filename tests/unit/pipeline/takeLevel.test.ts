import { describe, expect, it } from 'vitest';
import { integratedLoudness } from '../../../electron/engine/audio/loudness';
import { applyLevelCorrection } from '../../../electron/engine/pipeline/codecLevel';
import { takeLevelLimits, takeLevelMatchDb } from '../../../electron/engine/pipeline/takeLevel';
import { sine } from '../../fixtures/signals';

const rate = 24000;
const at = (db: number): Float32Array => sine(440, rate, 3, 0.3 * 10 ** (db / 20));

describe('the take level match', () => {
  it('brings the median take to the prompt loudness with one gain, so softer takes stay softer', () => {
    const prompt = at(0);
    const takes = [at(-2), at(-4), at(-7)];
    const db = takeLevelMatchDb(prompt, takes, rate);
    expect(db).toBeCloseTo(4, 1);
    const matched = applyLevelCorrection(takes, db);
    const loudness = matched.map((take) => integratedLoudness([take], rate)!);
    expect(loudness[1]!).toBeCloseTo(integratedLoudness([prompt], rate)!, 0);
    expect(loudness[0]! - loudness[2]!).toBeCloseTo(5, 0);
  });

  it('cuts takes that came out louder, and never by more than its limit', () => {
    expect(takeLevelMatchDb(at(-3), [at(0), at(0)], rate)).toBeCloseTo(-3, 1);
    expect(takeLevelMatchDb(at(0), [at(-20)], rate)).toBe(takeLevelLimits.maxMatchDb);
    expect(takeLevelMatchDb(at(-20), [at(0)], rate)).toBe(-takeLevelLimits.maxMatchDb);
  });

  it('leaves the takes alone when the prompt or every take is silent', () => {
    const silence = new Float32Array(3 * rate);
    expect(takeLevelMatchDb(silence, [at(-6)], rate)).toBe(0);
    expect(takeLevelMatchDb(at(0), [silence, silence], rate)).toBe(0);
    expect(takeLevelMatchDb(at(0), [silence, at(-2)], rate)).toBeCloseTo(2, 1);
  });
});
