import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleManifestSchema, candidatesPerTake, keyRanking } from '../../../electron/contract/bundle';
import { repoRoot } from '../../fixtures/paths';

const shipped = (name: string): unknown => JSON.parse(readFileSync(join(repoRoot, 'models', name, 'bundle.json'), 'utf8'));

describe('takes drawn per take kept', () => {
  const speech = bundleManifestSchema.parse(shipped('sketchpad-speech'));
  const piano = bundleManifestSchema.parse(shipped('sketchpad-piano'));
  const general = bundleManifestSchema.parse(shipped('sketchpad-general'));

  it('follow the job, else the key profile\'s own default, else the engine\'s; 1 without a key profile', () => {
    expect(candidatesPerTake(speech)).toBe(3);
    expect(candidatesPerTake(piano)).toBe(keyRanking.defaultCandidatesPerTake);
    expect(candidatesPerTake(speech, 1)).toBe(1);
    expect(candidatesPerTake(general)).toBe(1);
    expect(candidatesPerTake(general, 4)).toBe(1);
  });

  it('a key profile that asks for more than the engine draws is refused', () => {
    const manifest = shipped('sketchpad-speech') as { stages: { keyProfile: { candidatesPerTake: number } } };
    manifest.stages.keyProfile.candidatesPerTake = keyRanking.maxCandidatesPerTake + 1;
    const parsed = bundleManifestSchema.safeParse(manifest);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['stages', 'keyProfile', 'candidatesPerTake']);
  });

  it('what the choice hears is refused without the choice by pace', () => {
    for (const field of [{ hearSeconds: 6 }, { keyFromHeard: true }]) {
      const manifest = shipped('sketchpad-speech') as { stages: { keyProfile: Record<string, unknown> } };
      delete manifest.stages.keyProfile.byPace;
      delete manifest.stages.keyProfile.hearSeconds;
      delete manifest.stages.keyProfile.keyFromHeard;
      Object.assign(manifest.stages.keyProfile, field);
      const parsed = bundleManifestSchema.safeParse(manifest);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toMatch(/need byPace/);
      expect(parsed.error?.issues[0]?.path).toEqual(['stages', 'keyProfile']);
    }
  });
});
