import { describe, expect, it } from 'vitest';
import { domainCandidates } from '../../../electron/contract/bundle';

const bundle = (name: string, domain: 'piano' | 'speech' | 'general', isDefault: boolean) => ({ name, domain, isDefault });

describe('domainCandidates: the domain defaults a prompt is heard against', () => {
  it('are the piano and speech defaults, not the general one nor bundles that are not defaults', () => {
    const bundles = [bundle('g', 'general', true), bundle('p', 'piano', true), bundle('p2', 'piano', false), bundle('s', 'speech', true)];
    expect(domainCandidates(bundles).map((b) => b.name)).toEqual(['p', 's']);
  });

  it('are none where there is only one domain default to choose', () => {
    expect(domainCandidates([bundle('g', 'general', true), bundle('p', 'piano', true)])).toEqual([]);
    expect(domainCandidates([])).toEqual([]);
  });
});
