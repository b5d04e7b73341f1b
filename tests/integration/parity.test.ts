import { describe, expect, it } from 'vitest';
import { CachedLm } from '../../electron/engine/lm/cachedLm';
import { generateCoarse } from '../../electron/engine/lm/coarseStage';
import { generateFine } from '../../electron/engine/lm/fineStage';
import { generateSemantic } from '../../electron/engine/lm/semanticStage';
import { int64, floats, openSession, scalarInt64 } from '../../electron/engine/runtime/onnxSession';
import { argmax } from '../../electron/engine/sampling/logitsProcessors';
import { ChunkedDecoder, decodeCodes, encodeAudio } from '../../electron/engine/tokenizers/acousticTokenizer';
import { semanticTokens } from '../../electron/engine/tokenizers/semanticTokenizer';
import { parity, pitchParity, pitchTokenizerTiny, tinyBundle, tinySemanticLmPackedCache } from '../fixtures/bundles';
import { openedBundle } from '../fixtures/openedBundle';

const greedy = { pick: (_row: number, logits: Float32Array) => argmax(logits) };

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('the engine reproduces the PyTorch models (tiny bundle parity fixtures)', () => {
  const bundle = openedBundle(tinyBundle);

  it('codec encoder: the same codes', async () => {
    const codes = await encodeAudio(bundle().sessions.codecEncoder, Float32Array.from(parity.audio), bundle().manifest.acoustic.levels);
    expect(codes.map((row) => Array.from(row))).toEqual(parity.codecCodes);
  });

  it('codec decoder: the same audio within 1e-4', async () => {
    const codes = parity.codecCodes.map((row) => Int32Array.from(row));
    const [audio] = await decodeCodes(bundle().sessions.codecDecoder, [codes], { hop: bundle().manifest.acoustic.hop, chunkFrames: 1000 });
    expect(maxDifference(audio!, parity.decodedAudio)).toBeLessThan(1e-4);
  });

  it('codec decoder in chunks: the first chunk of every row, the rest of some, is what decoding those rows whole gives', async () => {
    const { hop } = bundle().manifest.acoustic;
    const codes = parity.codecCodes.map((row) => Int32Array.from(row));
    const rows = [codes, codes.map((level) => level.slice().reverse())];
    const chunking = { chunkFrames: 12, overlapFrames: 4 };
    const whole = await decodeCodes(bundle().sessions.codecDecoder, rows, { hop, ...chunking });
    const decoder = new ChunkedDecoder(bundle().sessions.codecDecoder, rows, hop, chunking);
    expect(decoder.chunks).toBeGreaterThan(2);
    await decoder.decode(0, [0, 1]);
    // Up to where the second chunk fades in, the first chunk alone is final.
    const heard = decoder.finalSamples(1);
    expect(heard).toBe(8 * hop);
    expect(maxDifference(decoder.audio[0]!.subarray(0, heard), whole[0]!.subarray(0, heard))).toBeLessThan(1e-6);
    for (let index = 1; index < decoder.chunks; index++) await decoder.decode(index, [1]);
    expect(maxDifference(decoder.audio[1]!, whole[1]!)).toBeLessThan(1e-6);
    // Row 0 was never decoded past its first chunk.
    expect(maxDifference(decoder.audio[0]!.subarray(heard), whole[0]!.subarray(heard))).toBeGreaterThan(1e-3);
  });

  it('semantic tokenizer: the same tokens', async () => {
    expect(Array.from(await semanticTokens(bundle().sessions.semanticTokenizer, Float32Array.from(parity.audio)))).toEqual(parity.semanticTokens);
  });

  it('semantic LM: the same logits after the prompt, the same greedy continuation through the KV cache', async () => {
    const lm = new CachedLm(bundle().sessions.semanticLm, bundle().manifest.stages.semanticLm.transformer, 1);
    const prompt = Int32Array.from(parity.semanticLm.prompt);
    const logits = await lm.next(prompt.length, (from, to) => ({ tokens: int64(prompt.subarray(from, to), [1, to - from]) }));
    expect(maxDifference(logits, parity.semanticLm.promptLogits)).toBeLessThan(1e-4);
    const [sequence] = await generateSemantic(new CachedLm(bundle().sessions.semanticLm, bundle().manifest.stages.semanticLm.transformer, 1), prompt, parity.semanticLm.greedy.length, 1, greedy);
    expect(Array.from(sequence!.subarray(prompt.length))).toEqual(parity.semanticLm.greedy);
  });

  it('coarse LM: the same greedy codes in the delay pattern', async () => {
    const { acoustic, vocabulary, semantic, stages } = bundle().manifest;
    const [codes] = await generateCoarse(
      new CachedLm(bundle().sessions.coarseLm, stages.coarseLm.transformer, 1),
      { levels: acoustic.coarseLevels, codebookSize: acoustic.codebookSize, pad: vocabulary.coarsePad, framesPerToken: semantic.framesPerToken },
      parity.coarseLm.promptCodes.map((row) => Int32Array.from(row)),
      [Int32Array.from(parity.coarseLm.semantic)],
      parity.coarseLm.newFrames,
      greedy,
    );
    expect(codes!.map((row) => Array.from(row))).toEqual(parity.coarseLm.greedy);
  });

  it('fine LM: the same logits and the same greedy fill, level by level', async () => {
    const { levels, coarseLevels } = bundle().manifest.acoustic;
    const [fineLm, fineSpec] = [bundle().sessions.fineLm, bundle().manifest.stages.fineLm];
    if (!fineLm || !fineSpec) throw new Error('the tiny test bundle has a fine stage');
    const flat = parity.fineLm.codes.flat();
    const result = await fineLm.run({ codes: int64(flat, [1, parity.fineLm.codes.length, levels]), level: scalarInt64(parity.fineLm.level) });
    const logits = floats(result.logits!);
    const size = bundle().manifest.acoustic.codebookSize;
    expect(maxDifference(logits.subarray(8 * size, 12 * size), parity.fineLm.logitsFrames8to11.flat())).toBeLessThan(1e-4);
    const grid = Int32Array.from(flat);
    await generateFine(fineLm, { levels, coarseLevels, mask: bundle().manifest.vocabulary.fineMask, window: fineSpec.transformer.context }, [grid], parity.fineLm.knownFrames, greedy);
    expect(Array.from(grid)).toEqual(parity.fineLm.greedy.flat());
  });
});

describe('an LM with one cache input per layer (export/layer_caches.py) and the same LM with a packed cache', () => {
  const bundle = openedBundle(tinyBundle);

  it('draw the same tokens, past a window slide', async () => {
    const { session: packed } = await openSession(tinySemanticLmPackedCache, { providers: ['cpu'], label: 'CPU' });
    try {
      const layered = bundle().sessions.semanticLm;
      expect(layered.inputNames).toContain('cache_k_0');
      expect(packed.inputNames).toContain('cache_k');
      const shape = bundle().manifest.stages.semanticLm.transformer;
      const prompt = Int32Array.from(parity.semanticLm.prompt);
      // Past the context, so the cache restarts on a slid window at least once.
      const count = shape.context + 20 - prompt.length;
      // Not greedy, so that the tokens wander: each pick nudges the logits by a fixed pattern.
      let picks = 0;
      const sampled = (row: number, logits: Float32Array) => {
        const pick = picks++;
        return argmax(logits.map((v, i) => v + ((i * 7919 + pick * 104729 + row) % 97) / 50));
      };
      const run = async (session: typeof packed) => {
        picks = 0;
        return generateSemantic(new CachedLm(session, shape, 2), prompt, count, 2, { pick: sampled });
      };
      const [fromLayered, fromPacked] = [await run(layered), await run(packed)];
      expect(fromLayered.map((row) => Array.from(row))).toEqual(fromPacked.map((row) => Array.from(row)));
      expect(new Set(fromLayered[0]).size).toBeGreaterThan(5);
    } finally {
      await packed.release();
    }
  });
});

describe('the engine reproduces the pitch tokenizer (fp16 weights, as shipped)', () => {
  it('the same tokens for notes, silence and noise', async () => {
    const { session } = await openSession(pitchTokenizerTiny, { providers: ['cpu'], label: 'CPU' });
    try {
      const tokens = Array.from(await semanticTokens(session, Float32Array.from(pitchParity.audio)));
      expect(new Set(tokens).size).toBeGreaterThan(10);
      expect(tokens).toEqual(pitchParity.tokens);
    } finally {
      await session.release();
    }
  });
});
