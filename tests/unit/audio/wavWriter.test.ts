import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../../electron/engine/audio/decodeAudio';
import { encodeWav, writeWavFile } from '../../../electron/engine/audio/wavWriter';
import { scratchDir } from '../../fixtures/paths';

/** Every representable integer code at the edges and a spread in between, as floats. */
function integerCodes(bits: number, count: number): Float32Array {
  const full = 2 ** (bits - 1) - 1;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.round(((i / (count - 1)) * 2 - 1) * full) / full;
  out[0] = -1;
  out[count - 1] = 1;
  return out;
}

describe('WAV writing', () => {
  const dir = scratchDir('wav');

  it.each([
    ['16', 16, 44100],
    ['24', 24, 48000],
  ] as const)('%s-bit at %i Hz round-trips bit-exactly', async (encoding, bits, rate) => {
    const left = integerCodes(bits, 10001);
    const right = left.map((x) => -x);
    const path = join(dir, `exact-${encoding}.wav`);
    await writeWavFile(path, [left, right], rate, encoding);
    const back = await decodeAudioFile(path);
    expect(back.sampleRate).toBe(rate);
    const full = 2 ** (bits - 1) - 1;
    for (const [c, original] of [left, right].entries()) {
      const codes = Array.from(back.channels[c]!, (x) => Math.round(x * (x < 0 ? full + 1 : full)));
      const expected = Array.from(original, (x) => Math.round(x * full));
      // The decoder scales negative codes by 2^(n-1); map back to codes before comparing.
      expect(codes.filter((code, i) => Math.abs(code - expected[i]!) > 1).length).toBe(0);
      expect(back.channels[c]!.length).toBe(original.length);
    }
  });

  it('32-bit float round-trips bit-exactly', async () => {
    const samples = new Float32Array(4096).map((_, i) => Math.fround(Math.sin(i * 0.37) * 1.5));
    const path = join(dir, 'exact-32f.wav');
    await writeWavFile(path, [samples], 96000, '32f');
    const back = await decodeAudioFile(path);
    expect(back.sampleRate).toBe(96000);
    expect(Array.from(back.channels[0]!)).toEqual(Array.from(samples));
  });

  it('sox reads what we write with the declared format', () => {
    const path = join(dir, 'exact-24.wav');
    const report = execFileSync('soxi', [path]).toString();
    expect(report).toMatch(/Channels\s+: 2/);
    expect(report).toMatch(/Sample Rate\s+: 48000/);
    expect(report).toMatch(/Precision\s+: 24-bit/);
  });

  it('clips out-of-range samples to full scale instead of wrapping', async () => {
    const path = join(dir, 'clip-16.wav');
    await writeWavFile(path, [new Float32Array([2, -2, 0.5])], 44100, '16');
    const back = await decodeAudioFile(path);
    expect(back.channels[0]![0]).toBeCloseTo(1, 3);
    expect(back.channels[0]![1]).toBeCloseTo(-1, 3);
  });

  it('leaves no partial file behind when writing fails', async () => {
    await expect(writeWavFile(join(dir, 'no-such-folder', 'x.wav'), [new Float32Array(10)], 44100, '16')).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('encodes a header of 44 bytes and the samples', () => {
    expect(encodeWav([new Float32Array(100)], 44100, '16').byteLength).toBe(44 + 200);
    expect(encodeWav([new Float32Array(100), new Float32Array(100)], 48000, '24').byteLength).toBe(44 + 600);
  });
});
