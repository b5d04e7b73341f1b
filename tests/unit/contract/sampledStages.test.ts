import { describe, expect, it } from 'vitest';
import { sampledStages } from '../../../electron/contract/bundle';

describe('the stages whose temperature the Generate panel offers', () => {
  it('are semantic and coarse for a chosen bundle without a fine stage', () => {
    expect(sampledStages({ fineStage: false })).toEqual(['semantic', 'coarse']);
  });

  it('are all three for a bundle with one, and when no bundle is chosen (the engine picks by the clip\'s domain)', () => {
    expect(sampledStages({ fineStage: true })).toEqual(['semantic', 'coarse', 'fine']);
    expect(sampledStages(undefined)).toEqual(['semantic', 'coarse', 'fine']);
  });
});
