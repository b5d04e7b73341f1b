import type { Session } from '../runtime/onnxSession';
import { floats, int64, scalarInt64 } from '../runtime/onnxSession';
import type { StageCallbacks } from './semanticStage';

export interface FineLayout {
  readonly levels: number;
  readonly coarseLevels: number;
  /** The manifest's fineMask: a level not known yet. */
  readonly mask: number;
  /** The most frames one pass sees (the fine model's context). */
  readonly window: number;
}

/**
 * Stage 3: the fine levels, non-autoregressively. Frames are filled in chunks; each pass sees a
 * window whose leading frames are fully known (the prompt's own codes first, then frames already
 * finished) and predicts one level for every new frame of the chunk at once, so a chunk costs one
 * pass per fine level.
 *
 * codes: per row, [frames][levels] flattened (frame-major); frames from `knownFrames` on have their
 * fine levels unknown. Filled in place.
 */
export async function generateFine(session: Session, layout: FineLayout, codes: Int32Array[], knownFrames: number, callbacks: StageCallbacks): Promise<void> {
  const { levels, coarseLevels, mask, window } = layout;
  const rows = codes.length;
  const frames = codes[0]!.length / levels;
  const context = Math.min(Math.floor(window / 2), knownFrames);
  const chunk = window - context;
  const chunks = Math.ceil((frames - knownFrames) / chunk);
  const passes = chunks * (levels - coarseLevels);
  let done = 0;
  for (let start = knownFrames; start < frames; start += chunk) {
    const end = Math.min(frames, start + chunk);
    const from = Math.max(0, start - context);
    for (let level = coarseLevels; level < levels; level++) {
      const input: number[] = [];
      for (const grid of codes) {
        for (let f = from; f < end; f++) {
          for (let q = 0; q < levels; q++) input.push(f >= start && q >= level ? mask : grid[f * levels + q]!);
        }
      }
      const result = await session.run({ codes: int64(input, [rows, end - from, levels]), level: scalarInt64(level) });
      const logits = floats(result.logits!);
      const size = logits.length / (rows * (end - from));
      for (let row = 0; row < rows; row++) {
        for (let f = start; f < end; f++) {
          const offset = (row * (end - from) + (f - from)) * size;
          codes[row]![f * levels + level] = callbacks.pick(row, logits.slice(offset, offset + size), new Int32Array(0), level);
        }
      }
      await callbacks.onStep?.(++done, passes);
    }
  }
}
