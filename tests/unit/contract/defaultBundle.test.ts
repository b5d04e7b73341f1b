import { describe, expect, it } from 'vitest';
import { defaultBundleOf, type BundleDomain } from '../../../electron/contract/bundle';

const bundle = (name: string, domain: BundleDomain, isDefault: boolean) => ({ name, domain, isDefault });
// As the shipped models list them: alphabetical, one default per domain, and a non-default extra.
const shipped = [bundle('a-general-import', 'general', false), bundle('sketchpad-piano', 'piano', true), bundle('sketchpad-general', 'general', true), bundle('sketchpad-speech', 'speech', true)];

describe('the bundle a job runs when it names none', () => {
  it('is the default of the clip\'s domain', () => {
    expect(defaultBundleOf(shipped, 'piano')?.name).toBe('sketchpad-piano');
    expect(defaultBundleOf(shipped, 'speech')?.name).toBe('sketchpad-speech');
  });

  it('is the general default for an unmarked clip, wherever it stands in the list', () => {
    expect(defaultBundleOf(shipped)?.name).toBe('sketchpad-general');
    expect(defaultBundleOf(shipped, 'general')?.name).toBe('sketchpad-general');
  });

  it('falls back to the general default, then to any default, and to none when nothing is installed', () => {
    const noSpeech = shipped.filter((b) => b.domain !== 'speech');
    expect(defaultBundleOf(noSpeech, 'speech')?.name).toBe('sketchpad-general');
    expect(defaultBundleOf([bundle('sketchpad-piano', 'piano', true)], 'speech')?.name).toBe('sketchpad-piano');
    expect(defaultBundleOf([], 'piano')).toBeUndefined();
  });
});
