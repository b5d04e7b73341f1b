import { rename, rm, writeFile } from 'node:fs/promises';
import wavefile from 'wavefile';
import type { WavEncoding } from '../../contract/audio';

const { WaveFile } = wavefile;

function quantise(channel: Float32Array, bits: 16 | 24): Int32Array {
  const scale = 2 ** (bits - 1) - 1;
  const out = new Int32Array(channel.length);
  for (let i = 0; i < channel.length; i++) {
    const x = Math.max(-1, Math.min(1, channel[i]!));
    out[i] = Math.round(x * scale);
  }
  return out;
}

/** Encodes channels as a WAV file: 16- or 24-bit integer PCM (rounded, clipped to full scale) or 32-bit float. */
export function encodeWav(channels: readonly Float32Array[], sampleRate: number, encoding: WavEncoding): Uint8Array {
  const wav = new WaveFile();
  const samples = encoding === '32f' ? channels.map((c) => Float64Array.from(c)) : channels.map((c) => quantise(c, encoding === '16' ? 16 : 24));
  wav.fromScratch(channels.length, sampleRate, encoding, samples);
  return wav.toBuffer();
}

/** Writes a WAV atomically: a temporary name first, renamed when complete, so no half file is ever seen. */
export async function writeWavFile(path: string, channels: readonly Float32Array[], sampleRate: number, encoding: WavEncoding): Promise<void> {
  const temporary = `${path}.partial-${process.pid}`;
  try {
    await writeFile(temporary, encodeWav(channels, sampleRate, encoding));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
