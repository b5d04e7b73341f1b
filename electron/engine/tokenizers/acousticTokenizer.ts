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
 * memory with no seams. Chunks may be decoded for some rows and not others, in any order: the
 * continuation hears the first chunk of every take drawn and decodes the rest only for those kept.
 */
export class ChunkedDecoder {
  /** Per row, frames * hop samples; each part is final once every chunk over it is decoded. */
  readonly audio: Float32Array[];
  readonly chunks: number;
  private readonly starts: number[];
  private readonly chunk: number;
  private readonly overlap: number;

  /** codes: per row [levels][frames]. */
  constructor(private readonly session: Session, private readonly codes: readonly (readonly Int32Array[])[], private readonly hop: number, options: Pick<DecodeOptions, 'chunkFrames' | 'overlapFrames'> = {}) {
    this.chunk = options.chunkFrames ?? decodeChunking.chunkFrames;
    this.overlap = Math.min(options.overlapFrames ?? decodeChunking.overlapFrames, Math.floor(this.chunk / 2));
    const frames = codes[0]?.[0]?.length ?? 0;
    this.starts = chunkStarts(frames, this.chunk, this.overlap);
    this.chunks = this.starts.length;
    this.audio = codes.map(() => new Float32Array(frames * hop));
  }

  /** Samples at the start of every row that are final once its first `chunks` chunks are decoded: up to where the next chunk fades in. */
  finalSamples(chunks: number): number {
    return chunks >= this.chunks ? this.audio[0]?.length ?? 0 : this.starts[chunks]! * this.hop;
  }

  /** Decodes chunk `index` of the given rows (one decoder run) and adds it, faded, to their audio. */
  async decode(index: number, rows: readonly number[]): Promise<void> {
    const { hop } = this;
    const start = this.starts[index]!;
    const frames = this.codes[0]![0]!.length;
    const end = Math.min(frames, start + this.chunk);
    const levels = this.codes[0]!.length;
    const input: number[] = [];
    for (const row of rows) for (let q = 0; q < levels; q++) input.push(...this.codes[row]![q]!.subarray(start, end));
    const audio = floats((await this.session.run({ codes: int64(input, [rows.length, levels, end - start]) })).audio!);
    const length = (end - start) * hop;
    const fadeIn = index === 0 ? 0 : this.overlap * hop;
    const fadeOut = index === this.chunks - 1 ? 0 : this.overlap * hop;
    for (const [position, row] of rows.entries()) {
      const source = audio.subarray(position * length, (position + 1) * length);
      const target = this.audio[row]!;
      for (let i = 0; i < length; i++) {
        let weight = 1;
        if (i < fadeIn) weight = (i + 0.5) / fadeIn;
        else if (i >= length - fadeOut) weight = (length - i - 0.5) / fadeOut;
        target[start * hop + i]! += weight * source[i]!;
      }
    }
  }
}

/** Every chunk of every row: codes per row [levels][frames] -> audio per row, frames * hop samples. */
export async function decodeCodes(session: Session, codes: Int32Array[][], options: DecodeOptions): Promise<Float32Array[]> {
  const decoder = new ChunkedDecoder(session, codes, options.hop, options);
  const rows = codes.map((_, row) => row);
  for (let index = 0; index < decoder.chunks; index++) {
    await decoder.decode(index, rows);
    await options.onChunk?.((index + 1) / decoder.chunks);
  }
  return decoder.audio;
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
