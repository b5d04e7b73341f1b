import { int64 } from '../runtime/onnxSession';
import type { CachedLm } from './cachedLm';
import type { StageCallbacks } from './semanticStage';

export interface CoarseLayout {
  readonly levels: number;
  readonly codebookSize: number;
  /** The delay pattern's empty slot (the manifest's coarsePad). */
  readonly pad: number;
  readonly framesPerToken: number;
}

/** Classifier-free guidance on the semantic plan: `scale` over the rows run with `nullToken` instead. */
export interface CoarseGuidance {
  readonly scale: number;
  readonly nullToken: number;
}

/** The LM batch generateCoarse needs: each row twice when guided. */
export const coarseBatch = (rows: number, guided: boolean): number => (guided ? 2 * rows : rows);

/**
 * Stage 2: coarse codec levels in the delay pattern (level q runs q steps behind level 0), one
 * step per frame for all levels at once. Each step sees the semantic token of the frame level 0
 * predicts next, so the acoustic tokens follow the semantic plan; the prompt's own coarse codes
 * prime the sequence (and are forced where the delay still reaches back into the prompt).
 *
 * prompt: [levels][promptFrames]; semantic: one sequence per row covering every frame.
 * Returns per row the new frames' codes as [levels][newFrames]. With guidance, the LM's batch
 * (coarseBatch) holds every row a second time on the null token, drawing the same codes.
 */
export async function generateCoarse(lm: Pick<CachedLm, 'next'>, layout: CoarseLayout, prompt: Int32Array[], semantic: Int32Array[], newFrames: number, callbacks: StageCallbacks, guidance?: CoarseGuidance): Promise<Int32Array[][]> {
  const { levels, pad, framesPerToken } = layout;
  const rows = semantic.length;
  const batch = coarseBatch(rows, guidance !== undefined);
  const promptFrames = prompt[0]!.length;
  const frames = promptFrames + newFrames;
  const steps = frames + levels - 1;
  // tokens[row][step * levels + level]
  const tokens = Array.from({ length: rows }, () => {
    const grid = new Int32Array(steps * levels).fill(pad);
    for (let q = 0; q < levels; q++) for (let f = 0; f < promptFrames; f++) grid[(f + q) * levels + q] = prompt[q]![f]!;
    return grid;
  });
  const semanticAt = (row: number, step: number): number => {
    const sequence = semantic[row]!;
    return sequence[Math.min(Math.floor((step + 1) / framesPerToken), sequence.length - 1)]!;
  };
  const window = (from: number, to: number) => {
    const codes: number[] = [];
    const conditioning: number[] = [];
    for (let lmRow = 0; lmRow < batch; lmRow++) {
      const row = lmRow % rows;
      codes.push(...tokens[row]!.subarray(from * levels, to * levels));
      for (let step = from; step < to; step++) conditioning.push(lmRow < rows ? semanticAt(row, step) : guidance!.nullToken);
    }
    return { codes: int64(codes, [batch, to - from, levels]), semantic: int64(conditioning, [batch, to - from]) };
  };
  const history = new Int32Array(0);
  for (let step = promptFrames; step < steps; step++) {
    const logits = await lm.next(step, window);
    const size = logits.length / (batch * levels);
    for (let row = 0; row < rows; row++) {
      for (let q = 0; q < levels; q++) {
        const frame = step - q;
        if (frame < promptFrames || frame >= frames) continue;
        const offset = (row * levels + q) * size;
        const guided = logits.slice(offset, offset + size);
        if (guidance) {
          const unguided = logits.subarray(offset + rows * levels * size, offset + rows * levels * size + size);
          for (let i = 0; i < size; i++) guided[i] = unguided[i]! + guidance.scale * (guided[i]! - unguided[i]!);
        }
        tokens[row]![step * levels + q] = callbacks.pick(row, guided, history, q);
      }
    }
    await callbacks.onStep?.(step - promptFrames + 1, steps - promptFrames);
  }
  return tokens.map((grid) => Array.from({ length: levels }, (_, q) => {
    const codes = new Int32Array(newFrames);
    for (let f = 0; f < newFrames; f++) codes[f] = grid[(promptFrames + f + q) * levels + q]!;
    return codes;
  }));
}
