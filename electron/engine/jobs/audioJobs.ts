import { mkdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { EngineMethods, ResultOf } from '../../contract/methods';
import { SketchpadError } from '../../contract/errors';
import { throwIfCancelled, type Handlers, type JobContext } from '../../contract/rpcServer';
import { analyseAudio, isSilent, waveformPeaks } from '../audio/analyseAudio';
import { downmix, toAtMostStereo } from '../audio/channels';
import { decodeAudioFile } from '../audio/decodeAudio';
import { resample } from '../audio/resample';
import { writeWavFile } from '../audio/wavWriter';
import { ProgressTracker, yieldToMessages } from './progressTracker';

/** What a handler receives: the params after validation, defaults filled in. */
type Params<M extends keyof EngineMethods> = Parameters<Handlers<EngineMethods>[M]>[0];
type Result<M extends keyof EngineMethods> = ResultOf<EngineMethods, M>;

export async function inspectAudio({ path }: Params<'audio.inspect'>, job: JobContext): Promise<Result<'audio.inspect'>> {
  const audio = await decodeAudioFile(path, job.signal);
  return analyseAudio(audio);
}

/** Decodes a clip for the sketchpad: checks it can be continued, writes a playback copy, draws its peaks. */
export async function prepareAudio({ path, outputDir }: Params<'audio.prepare'>, job: JobContext): Promise<Result<'audio.prepare'>> {
  const progress = new ProgressTracker(job, { decode: 0.6, analyse: 0.2, write: 0.2 });
  progress.report('decode', 0);
  const audio = await decodeAudioFile(path, job.signal);
  await yieldToMessages();
  throwIfCancelled(job);
  progress.report('analyse', 0);
  const info = analyseAudio(audio);
  if (isSilent(info)) {
    throw new SketchpadError('audio/silent', `${basename(path)} is silent (peak below -80 dBFS): there is nothing to continue from.`);
  }
  const peaks = waveformPeaks(audio.channels, audio.sampleRate);
  await yieldToMessages();
  throwIfCancelled(job);
  progress.report('write', 0);
  await mkdir(outputDir, { recursive: true });
  const playbackPath = join(outputDir, 'playback.wav');
  await writeWavFile(playbackPath, toAtMostStereo(audio.channels), audio.sampleRate, '32f');
  progress.report('write', 1);
  return { info, peaks, playbackPath };
}

async function checkOutputPath(output: string): Promise<void> {
  if (extname(output).toLowerCase() !== '.wav') {
    throw new SketchpadError('audio/bad-settings', `The output ${basename(output)} must end in .wav: Sketchpad writes WAV files.`);
  }
  const folder = dirname(output);
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new SketchpadError('audio/bad-settings', `The output folder ${folder} does not exist.`);
  const existing = await stat(output).catch(() => null);
  if (existing?.isDirectory()) throw new SketchpadError('audio/bad-settings', `${output} is a folder.`);
}

export async function convertAudio(params: Params<'audio.convert'>, job: JobContext): Promise<Result<'audio.convert'>> {
  await checkOutputPath(params.output);
  const progress = new ProgressTracker(job, { decode: 0.4, resample: 0.5, write: 0.1 });
  progress.report('decode', 0);
  const audio = await decodeAudioFile(params.input, job.signal);
  const rate = params.sampleRate ?? audio.sampleRate;
  let channels = params.mono ? [downmix(audio.channels)] : audio.channels;
  if (rate !== audio.sampleRate) {
    channels = await resample(channels, audio.sampleRate, rate, {
      onChunk: async (fraction) => {
        progress.report('resample', fraction);
        await yieldToMessages();
        throwIfCancelled(job);
      },
    });
  }
  await yieldToMessages();
  throwIfCancelled(job);
  progress.report('write', 0);
  await writeWavFile(params.output, channels, rate, params.encoding);
  progress.report('write', 1);
  return { output: params.output, sampleRate: rate, channels: channels.length, frames: channels[0]?.length ?? 0 };
}
