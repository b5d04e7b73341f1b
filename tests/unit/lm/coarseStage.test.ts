import { describe, expect, it } from 'vitest';
import { coarseBatch, generateCoarse, type CoarseGuidance } from '../../../electron/engine/lm/coarseStage';
import type { StageCallbacks } from '../../../electron/engine/lm/semanticStage';
import { toNumbers, type Feeds } from '../../../electron/engine/runtime/onnxSession';

const nullToken = 9;
const layout = { levels: 1, codebookSize: 4, pad: 4, framesPerToken: 1 };
// Given the plan, the LM leans to code 1 over code 0; without it (the null token), to code 1 harder.
const withPlan = [1, 1.2, 0, 0];
const withoutPlan = [0, 1.5, 0, 0];

/** An LM that answers from the semantic token each row was fed last, recording the batch it saw. */
function fakeLm(batches: number[]) {
  return {
    next: async (end: number, window: (from: number, to: number) => Feeds): Promise<Float32Array> => {
      const feeds = window(end - 1, end);
      const semantic = toNumbers(feeds.semantic!);
      batches.push(semantic.length);
      return Float32Array.from(Array.from(semantic).flatMap((token) => (token === nullToken ? withoutPlan : withPlan)));
    },
  };
}

const greedy: StageCallbacks = { pick: (_row, logits) => logits.indexOf(Math.max(...logits)) };

async function draw(guidance?: CoarseGuidance) {
  const batches: number[] = [];
  const rows = [Int32Array.of(5, 5, 5, 5), Int32Array.of(6, 6, 6, 6)];
  const codes = await generateCoarse(fakeLm(batches), layout, [Int32Array.of(2)], rows, 3, greedy, guidance);
  return { codes: codes.map(([level]) => Array.from(level!)), batches };
}

describe('coarse stage guidance', () => {
  it('unguided, each row draws from its own logits in a batch of the rows', async () => {
    const { codes, batches } = await draw();
    expect(codes).toEqual([[1, 1, 1], [1, 1, 1]]);
    expect(new Set(batches)).toEqual(new Set([2]));
  });

  it('guided, each row also runs on the null token and draws from unguided + scale x (guided - unguided)', async () => {
    // Scale 3: code 0 gets 0 + 3 x 1 = 3, code 1 gets 1.5 + 3 x -0.3 = 0.6.
    const { codes, batches } = await draw({ scale: 3, nullToken });
    expect(codes).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(new Set(batches)).toEqual(new Set([coarseBatch(2, true)]));
    expect(coarseBatch(2, true)).toBe(4);
  });

  it('scale 1 draws what no guidance draws', async () => {
    expect((await draw({ scale: 1, nullToken })).codes).toEqual((await draw()).codes);
  });
});
