import type { Session } from '../runtime/onnxSession';
import { float32, toNumbers } from '../runtime/onnxSession';

/**
 * Semantic tokens: the tokenizer graph holds the encoder and the k-means centroids, so it maps
 * audio straight to the nearest-centroid ids. audio: mono, a whole number of tokens long.
 */
export async function semanticTokens(session: Session, audio: Float32Array): Promise<Int32Array> {
  const result = await session.run({ audio: float32(audio, [1, 1, audio.length]) });
  return toNumbers(result.tokens!);
}
