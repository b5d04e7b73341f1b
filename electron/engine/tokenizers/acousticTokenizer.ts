import { decodedLevels, type BundleManifest } from '../../contract/bundle';
import type { Session } from '../runtime/onnxSession';
import { float32, floats, int64, toNumbers } from '../runtime/onnxSession';

/** Codec encoder: mono audio at the bundle's rate (a whole number of hops) -> codes [levels][frames]. */
export async function encodeAudio(session: Session, audio: Float32Array, levels: number): Promise<Int32Array[]> {
  const result = await session.run({ audio: float32(audio, [1, 1, audio.length]) });
  const flat = toNumbers(result.codes!);
  const frames = flat.length / levels;
  return Array.from({ length: levels }, (_, q) => flat.slice(q * frames, (q + 1) * frames));
}

/** Frames per decoder run and frames shared by neighbouring runs (cross-faded). */
export const decodeChunking = { chunkFrames: 250, overlapFrames: 8 } as const;

/** Where each decoder run starts, in frames. */
export function chunkStarts(frames: number, chunk: number = decodeChunking.chunkFrames, overlap: number = decodeChunking.overlapFrames): number[] {
  const starts: number[] = [];
  for (let start = 0; ; start += chunk - overlap) {
    starts.push(start);
    if (start + chunk >= frames) break;
  }
  return starts;
}

/** The middle of each cross-fade between decoder runs, in frames: where a chunk seam could be heard. */
export function chunkSeams(frames: number): number[] {
  return chunkStarts(frames).slice(1).map((start) => start + decodeChunking.overlapFrames / 2);
}

export interface DecodeOptions {
  readonly hop: number;
  /** Frames per decoder run. */
  readonly chunkFrames?: number;
  /** Frames shared by neighbouring runs, cross-faded so chunk borders leave no click. */
  readonly overlapFrames?: number;
  readonly onChunk?: (fraction: number) => Promise<void>;
}

/**
 * Codec decoder over long code sequences: a batch of rows, decoded in overlapping chunks that are
 * cross-faded with linear ramps (EnCodec's linear overlap-add), so any length decodes in bounded
 * memory with no seams. codes: per row [levels][frames] -> audio per row, frames * hop samples.
 */
export async function decodeCodes(session: Session, codes: Int32Array[][], options: DecodeOptions): Promise<Float32Array[]> {
  const { hop } = options;
  const chunk = options.chunkFrames ?? decodeChunking.chunkFrames;
  const overlap = Math.min(options.overlapFrames ?? decodeChunking.overlapFrames, Math.floor(chunk / 2));
  const rows = codes.length;
  const levels = codes[0]!.length;
  const frames = codes[0]![0]!.length;
  const out = Array.from({ length: rows }, () => new Float32Array(frames * hop));
  const starts = chunkStarts(frames, chunk, overlap);
  for (const [index, start] of starts.entries()) {
    const end = Math.min(frames, start + chunk);
    const input: number[] = [];
    for (const row of codes) for (let q = 0; q < levels; q++) input.push(...row[q]!.subarray(start, end));
    const audio = floats((await session.run({ codes: int64(input, [rows, levels, end - start]) })).audio!);
    const length = (end - start) * hop;
    const fadeIn = index === 0 ? 0 : overlap * hop;
    const fadeOut = index === starts.length - 1 ? 0 : overlap * hop;
    for (let row = 0; row < rows; row++) {
      const source = audio.subarray(row * length, (row + 1) * length);
      const target = out[row]!;
      for (let i = 0; i < length; i++) {
        let weight = 1;
        if (i < fadeIn) weight = (i + 0.5) / fadeIn;
        else if (i >= length - fadeOut) weight = (length - i - 0.5) / fadeOut;
        target[start * hop + i]! += weight * source[i]!;
      }
    }
    await options.onChunk?.((index + 1) / starts.length);
  }
  return out;
}

export interface CodecLayout {
  readonly hop: number;
  /** Levels the encoder makes. */
  readonly levels: number;
  /** Levels the decoder reads: the first ones. */
  readonly decodedLevels: number;
}

export const codecLayout = (manifest: BundleManifest): CodecLayout => ({ hop: manifest.acoustic.hop, levels: manifest.acoustic.levels, decodedLevels: decodedLevels(manifest) });

/** Encode then decode a mono clip at the codec's rate, as the bundle decodes; the result has the input's length. */
export async function roundTrip(encoder: Session, decoder: Session, audio: Float32Array, layout: CodecLayout, onChunk?: (fraction: number) => Promise<void>): Promise<{ audio: Float32Array; frames: number }> {
  const padded = new Float32Array(Math.ceil(audio.length / layout.hop) * layout.hop);
  padded.set(audio);
  const codes = await encodeAudio(encoder, padded, layout.levels);
  const [decoded] = await decodeCodes(decoder, [codes.slice(0, layout.decodedLevels)], { hop: layout.hop, onChunk });
  return { audio: decoded!.subarray(0, audio.length), frames: codes[0]!.length };
}
