import { domainCandidates, type BundleDomain } from '../../contract/bundle';
import { throwIfCancelled, type JobContext } from '../../contract/rpcServer';
import { codecQuality } from '../eval/measures';
import { toAnalysisRate } from '../audio/spectral';
import { codecLayout, roundTrip } from '../tokenizers/acousticTokenizer';
import { registry } from './engineContext';

/** Log-mel L1 (nepers) by which the best domain codec must beat the next for the domain to count as heard. */
export const detectionMargin = 0.1;
/** The prompt's last seconds are enough to tell piano from speech, and keep detection quick. */
const listenSeconds = 4;

export interface DomainDetection {
  /** The domain whose codec rebuilt the prompt clearly best; undefined: none did, the general default runs. */
  readonly domain?: BundleDomain;
  /** Each tried domain's codec error on the prompt (log-mel L1, nepers). */
  readonly errors: Partial<Record<BundleDomain, number>>;
}

/**
 * What a prompt is, heard by analysis through synthesis: its last seconds go through the codec of
 * each installed domain default (piano, speech), and the codec that rebuilds it clearly best names
 * the domain. A codec trained on piano rebuilds piano far better than one trained on speech, and the
 * other way round; a sound neither was made for is rebuilt about as badly by both.
 *
 * `audioAt(rate)`: the prompt at a bundle's sample rate.
 */
export async function detectDomain(audioAt: (rate: number) => Promise<Float32Array>, job: JobContext): Promise<DomainDetection> {
  const candidates = domainCandidates(await registry.list());
  const errors: Partial<Record<BundleDomain, number>> = {};
  for (const candidate of candidates) {
    throwIfCancelled(job);
    const bundle = await registry.load(candidate.path);
    const rate = bundle.manifest.sampleRate;
    const audio = await audioAt(rate);
    const heard = audio.subarray(Math.max(0, audio.length - listenSeconds * rate));
    const rebuilt = await roundTrip(bundle.sessions.codecEncoder, bundle.sessions.codecDecoder, heard, codecLayout(bundle.manifest));
    errors[candidate.domain] = codecQuality(await toAnalysisRate(heard, rate), await toAnalysisRate(rebuilt.audio, rate)).logMelL1;
  }
  return { domain: clearlyBest(errors), errors };
}

/** The domain whose codec error is lower than every other's by the margin; undefined with fewer than two or no clear winner. */
export function clearlyBest(errors: Partial<Record<BundleDomain, number>>, margin = detectionMargin): BundleDomain | undefined {
  const ranked = (Object.entries(errors) as [BundleDomain, number][]).filter(([, e]) => Number.isFinite(e)).sort((a, b) => a[1] - b[1]);
  const [best, next] = ranked;
  return best && next && next[1] - best[1] >= margin ? best[0] : undefined;
}
