import ort from 'onnxruntime-node';
import { cpus } from 'node:os';
import type { ExecutionChoice } from './executionProvider';

export type Session = ort.InferenceSession;
export type Feeds = Record<string, ort.Tensor>;

function options(providers: string[]): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: providers,
    graphOptimizationLevel: 'all',
    intraOpNumThreads: Math.max(1, Math.min(4, cpus().length)),
    interOpNumThreads: 1,
    // No memory pattern: it is planned per input shape, and ours change from run to run (decoder
    // chunks, LM windows). With it, a fresh process's second decoder run of a shape was as slow as
    // its first, and decoding in runs of four rows peaked at 540 MB against 345 MB without; once
    // warm, the speed is the same.
    enableMemPattern: false,
    // No busy-waiting threads: playback and the UI share these cores.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

/** Opens an ONNX file with the chosen providers, falling back to CPU if an accelerator fails to start. */
export async function openSession(path: string, choice: ExecutionChoice): Promise<{ session: Session; provider: string }> {
  if (choice.providers.length > 1) {
    try {
      return { session: await ort.InferenceSession.create(path, options(choice.providers)), provider: choice.label };
    } catch {
      // The accelerator is listed but not usable here (driver, library): CPU still works.
    }
  }
  return { session: await ort.InferenceSession.create(path, options(['cpu'])), provider: 'CPU' };
}

export const int64 = (values: ArrayLike<number>, dims: readonly number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims);

export const float32 = (values: Float32Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('float32', values, dims);

export const scalarInt64 = (value: number): ort.Tensor => new ort.Tensor('int64', BigInt64Array.of(BigInt(value)), []);

/** A tensor's data as numbers (int64 -> number; our token ids are far below 2^53). */
export function toNumbers(tensor: ort.Tensor): Int32Array {
  const data = tensor.data as BigInt64Array;
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Number(data[i]);
  return out;
}

export function floats(tensor: ort.Tensor): Float32Array {
  return tensor.data as Float32Array;
}
