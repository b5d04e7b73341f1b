import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import decode from 'audio-decode';
import { SketchpadError } from '../../contract/errors';
import { audioLimits } from './audioLimits';
import { detectFormat, readableFormats, wavDeclaredLength, type ReadableFormat } from './audioFormat';

export interface DecodedAudio {
  readonly format: ReadableFormat;
  readonly sampleRate: number;
  /** One array per channel, all the same length. */
  readonly channels: Float32Array[];
  /** Remarks that do not stop work (e.g. a truncated WAV). */
  readonly warnings: string[];
}

const supportedList = Object.values(readableFormats).join(', ');

function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m} min ${s} s` : `${seconds.toFixed(1)} s`;
}

function tooLong(name: string, seconds: number): SketchpadError {
  return new SketchpadError(
    'audio/too-long',
    `${name} is ${formatDuration(seconds)} long; Sketchpad opens clips up to ${audioLimits.maxDurationSeconds / 60} minutes. Trim it in your editor first.`,
  );
}

async function checkFile(path: string): Promise<number> {
  const name = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new SketchpadError('audio/is-directory', `${path} is a folder, not an audio file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof SketchpadError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new SketchpadError('audio/not-found', `No file at ${path}.`);
    if (code === 'EACCES' || code === 'EPERM') throw new SketchpadError('audio/unreadable', `${name} cannot be read: permission denied.`);
    throw new SketchpadError('audio/unreadable', `${name} cannot be read (${code ?? 'unknown error'}).`);
  }
  if (size === 0) throw new SketchpadError('audio/empty', `${name} is empty (0 bytes).`);
  if (size > audioLimits.maxFileBytes) {
    throw new SketchpadError('audio/too-large', `${name} is ${(size / 1024 ** 3).toFixed(1)} GB; Sketchpad reads files up to ${audioLimits.maxFileBytes / 1024 ** 3} GB.`);
  }
  return size;
}

async function readHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function joinChunks(parts: Float32Array[][], channelCount: number, frames: number): Float32Array[] {
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  let offset = 0;
  for (const part of parts) {
    const length = part[0]?.length ?? 0;
    for (let c = 0; c < channelCount; c++) channels[c]!.set(part[Math.min(c, part.length - 1)]!.subarray(0, length), offset);
    offset += length;
  }
  return channels;
}

/**
 * Compressed formats decode chunk by chunk so that an over-long file is refused as soon as it
 * passes the limit, before it fills memory.
 */
async function decodeCompressed(path: string, format: ReadableFormat, name: string, signal?: AbortSignal) {
  const parts: Float32Array[][] = [];
  let frames = 0;
  let sampleRate = 0;
  let channelCount = 0;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of decode(stream, format)) {
      if (signal?.aborted) throw new SketchpadError('job/cancelled', 'The job was cancelled.');
      const length = chunk.channelData[0]?.length ?? 0;
      if (!length) continue;
      sampleRate = chunk.sampleRate;
      channelCount = Math.max(channelCount, chunk.channelData.length);
      parts.push(chunk.channelData);
      frames += length;
      if (frames / sampleRate > audioLimits.maxDurationSeconds) throw tooLong(name, frames / sampleRate);
    }
  } catch (error) {
    if (error instanceof SketchpadError) throw error;
    throw new SketchpadError('audio/corrupt', `${name} could not be decoded as ${readableFormats[format]}: the file is damaged (${(error as Error).message}).`);
  } finally {
    stream.destroy();
  }
  return { sampleRate, channels: joinChunks(parts, channelCount, frames) };
}

/** Reads and decodes an audio file, refusing anything unusable with a specific, human message. */
export async function decodeAudioFile(path: string, signal?: AbortSignal): Promise<DecodedAudio> {
  const name = basename(path);
  await checkFile(path);
  const head = await readHead(path, 64 * 1024);
  const { format, what } = detectFormat(head);
  if (!format) {
    throw new SketchpadError(
      'audio/unsupported',
      `${name} is ${what ?? 'not an audio format Sketchpad recognises'}. Sketchpad reads ${supportedList}.`,
    );
  }
  const warnings: string[] = [];
  let decoded: { sampleRate: number; channels: Float32Array[] };
  if (format === 'wav') {
    const declared = wavDeclaredLength(head);
    if (declared && declared.frames / declared.sampleRate > audioLimits.maxDurationSeconds) {
      throw tooLong(name, declared.frames / declared.sampleRate);
    }
    const bytes = await readFile(path);
    try {
      const out = await decode(bytes);
      decoded = { sampleRate: out.sampleRate, channels: out.channelData };
    } catch (error) {
      throw new SketchpadError('audio/corrupt', `${name} could not be decoded as WAV: ${(error as Error).message}.`);
    }
    const frames = decoded.channels[0]?.length ?? 0;
    if (declared && frames > 0 && frames < declared.frames * 0.999) {
      warnings.push(`The file looks truncated: its header promises ${formatDuration(declared.frames / declared.sampleRate)} but only ${formatDuration(frames / decoded.sampleRate)} are there.`);
    }
  } else {
    decoded = await decodeCompressed(path, format, name, signal);
  }
  const frames = decoded.channels[0]?.length ?? 0;
  if (!frames || !decoded.sampleRate) {
    throw new SketchpadError('audio/corrupt', `No audio could be decoded from ${name}: the ${readableFormats[format]} file is damaged or truncated.`);
  }
  if (frames / decoded.sampleRate > audioLimits.maxDurationSeconds) throw tooLong(name, frames / decoded.sampleRate);
  for (const channel of decoded.channels) {
    for (let i = 0; i < channel.length; i++) {
      if (!Number.isFinite(channel[i]!)) {
        throw new SketchpadError('audio/invalid-samples', `${name} contains invalid samples (NaN or infinity) at ${formatDuration(i / decoded.sampleRate)}: the file is damaged.`);
      }
    }
  }
  return { format, sampleRate: decoded.sampleRate, channels: decoded.channels, warnings };
}
