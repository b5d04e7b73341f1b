import { describe, expect, it } from 'vitest';
import { clearlyBest, detectionMargin } from '../../../electron/engine/jobs/domainDetection';

describe('clearlyBest: the domain whose codec rebuilt the prompt clearly best', () => {
  it('names the domain whose codec error is lower by the margin or more', () => {
    expect(clearlyBest({ piano: 1.15, speech: 1.46 })).toBe('piano');
    expect(clearlyBest({ piano: 2.18, speech: 1.42 })).toBe('speech');
    expect(clearlyBest({ piano: 1.0, speech: 1.0 + detectionMargin })).toBe('piano');
  });

  it('names none when the codecs rebuild it about as well, or only one could be asked', () => {
    expect(clearlyBest({ piano: 1.26, speech: 1.34 })).toBeUndefined();
    expect(clearlyBest({ piano: 1.0 })).toBeUndefined();
    expect(clearlyBest({})).toBeUndefined();
  });

  it('ignores a codec whose error could not be measured (a prompt too short to analyse)', () => {
    expect(clearlyBest({ piano: Number.NaN, speech: 1.4 })).toBeUndefined();
  });
});
