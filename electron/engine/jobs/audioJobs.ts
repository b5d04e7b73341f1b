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

/** Lays pieces of files end to end at one rate and depth (an export): stereo if any piece is. */
export async function renderAudio(params: Params<'audio.render'>, job: JobContext): Promise<Result<'audio.render'>> {
  await checkOutputPath(params.output);
  const progress = new ProgressTracker(job, { render: 1 });
  const pieces: Float32Array[][] = [];
  for (const [index, part] of params.parts.entries()) {
    progress.report('render', index / params.parts.length);
    const audio = await decodeAudioFile(part.path, job.signal);
    const from = Math.round((part.start ?? 0) * audio.sampleRate);
    const to = part.end === undefined ? audio.channels[0]!.length : Math.min(audio.channels[0]!.length, Math.round(part.end * audio.sampleRate));
    const cut = toAtMostStereo(audio.channels).map((c) => c.subarray(from, Math.max(from, to)));
    pieces.push(await resample(cut, audio.sampleRate, params.sampleRate, {
      onChunk: async () => {
        await yieldToMessages();
        throwIfCancelled(job);
      },
    }));
  }
  const channels = Math.max(...pieces.map((p) => p.length));
  const frames = pieces.reduce((sum, p) => sum + p[0]!.length, 0);
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  let offset = 0;
  for (const piece of pieces) {
    for (let c = 0; c < channels; c++) out[c]!.set(piece[Math.min(c, piece.length - 1)]!, offset);
    offset += piece[0]!.length;
  }
  await writeWavFile(params.output, out, params.sampleRate, params.encoding);
  progress.report('render', 1);
  return { output: params.output, sampleRate: params.sampleRate, channels, frames };
}
