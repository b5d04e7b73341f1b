import { decodedLevels, type BundleDomain, type BundleManifest } from '../../contract/bundle';
import { throwIfCancelled, type JobContext } from '../../contract/rpcServer';
import { downmix } from '../audio/channels';
import { decodeAudioFile } from '../audio/decodeAudio';
import { resample } from '../audio/resample';
import type { VerifiedBundle } from '../bundles/bundleVerifier';
import { registry } from './engineContext';
import { yieldToMessages } from './progressTracker';

/** The bundle a job asked for by name or path, or the default (for the domain, if given), verified and open. */
export async function bundleFor(name: string | undefined, domain?: BundleDomain): Promise<VerifiedBundle> {
  return registry.load(await registry.resolve(name, domain));
}

/** Mono audio at `rate` from any file we read; cancellable between resampling chunks. */
export async function audioAtRate(path: string, rate: number, job: JobContext): Promise<Float32Array> {
  const decoded = await decodeAudioFile(path, job.signal);
  const [mono] = await resample([downmix(decoded.channels)], decoded.sampleRate, rate, {
    onChunk: async () => {
      await yieldToMessages();
      throwIfCancelled(job);
    },
  });
  return mono!;
}

/** The bitrate the bundle decodes: frames per second x levels decoded x bits per code. */
export function codecKbps(manifest: BundleManifest): number {
  return (manifest.acoustic.frameRate * decodedLevels(manifest) * Math.log2(manifest.acoustic.codebookSize)) / 1000;
}
