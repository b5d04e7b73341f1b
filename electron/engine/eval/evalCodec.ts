import type { CodecEvalResult, CodecQuality } from '../../contract/eval';
import { SketchpadError } from '../../contract/errors';
import type { EngineMethods } from '../../contract/methods';
import { throwIfCancelled, type Handlers } from '../../contract/rpcServer';
import { audioAtRate, bundleFor, codecKbps } from '../jobs/jobInputs';
import { ProgressTracker, yieldToMessages } from '../jobs/progressTracker';
import { chunkSeams, codecLayout, roundTrip } from '../tokenizers/acousticTokenizer';
import { codecMedians, writeCodecReport, type CodecListening } from './evalReport';
import { codecClips } from './evalManifests';
import { codecQuality, seamRatio } from './measures';
import { opusAvailable, opusRoundTrip } from './opusBaseline';
import { toAnalysisRate } from '../audio/spectral';


/** `sketchpad eval codec`: the bundle's codec against Opus at 6 and 12 kbps, per clip and per set. */
export const evalCodec: Handlers<EngineMethods>['eval.codec'] = async (params, job) => {
  const bundle = await bundleFor(params.bundle);
  const { sampleRate, acoustic } = bundle.manifest;
  const clips = await codecClips(params);
  const withOpus = opusAvailable();
  const progress = new ProgressTracker(job, { clips: 1 });
  const rows: CodecEvalResult['rows'] = [];
  const skipped: CodecEvalResult['skipped'] = [];
  const listening: CodecListening[] = [];
  for (const [index, clip] of clips.entries()) {
    progress.report('clips', index / clips.length, clip.id);
    await yieldToMessages();
    throwIfCancelled(job);
    let original: Float32Array;
    try {
      original = await audioAtRate(clip.path, sampleRate, job);
    } catch (error) {
      if (error instanceof SketchpadError && error.code === 'job/cancelled') throw error;
      skipped.push({ id: clip.id, reason: (error as Error).message });
      continue;
    }
    if (original.length < sampleRate * 0.5) {
      skipped.push({ id: clip.id, reason: `shorter than the 0.5 s the measures need (${(original.length / sampleRate).toFixed(2)} s)` });
      continue;
    }
    const reference = await toAnalysisRate(original, sampleRate);
    const coded = await roundTrip(bundle.sessions.codecEncoder, bundle.sessions.codecDecoder, original, codecLayout(bundle.manifest));
    const decoded16k = await toAnalysisRate(coded.audio, sampleRate);
    const codec = codecQuality(reference, decoded16k);
    const chunkSeam = seamRatio(reference, decoded16k, chunkSeams(coded.frames).map((frame) => frame / acoustic.frameRate));
    let opus6: CodecQuality | null = null;
    let opus12: CodecQuality | null = null;
    let opus6Audio: { audio: Float32Array; sampleRate: number } | null = null;
    if (withOpus) {
      opus6Audio = await opusRoundTrip(original, sampleRate, 6);
      const opus12Audio = await opusRoundTrip(original, sampleRate, 12);
      opus6 = codecQuality(reference, await toAnalysisRate(opus6Audio.audio, opus6Audio.sampleRate));
      opus12 = codecQuality(reference, await toAnalysisRate(opus12Audio.audio, opus12Audio.sampleRate));
    }
    const strip = ({ logMelL1, siSdr }: CodecQuality) => ({ logMelL1, siSdr });
    rows.push({ id: clip.id, set: clip.set, seconds: original.length / sampleRate, codec: strip(codec), opus6: opus6 && strip(opus6), opus12: opus12 && strip(opus12), chunkSeam });
    listening.push({ id: clip.id, original, codec: coded.audio, opus6: opus6Audio });
  }
  if (!rows.length) throw new SketchpadError('eval/manifest', `No clip could be measured: ${skipped.map((s) => `${s.id}: ${s.reason}`).join('; ')}`);
  const result: CodecEvalResult = {
    bundle: bundle.manifest.name,
    kbps: codecKbps(bundle.manifest),
    opusMeasured: withOpus,
    rows,
    summary: codecMedians(rows),
    skipped,
    report: null,
  };
  if (params.report) result.report = await writeCodecReport(params.report, result, listening, sampleRate);
  progress.report('clips', 1);
  return result;
};
