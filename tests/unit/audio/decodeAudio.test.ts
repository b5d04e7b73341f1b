import { describe, expect, it } from 'vitest';
import { decodeAudioFile } from '../../../electron/engine/audio/decodeAudio';
import { fixture, scratchDir } from '../../fixtures/paths';
import { rms, zeroCrossingFrequency } from '../../fixtures/signals';
import { writeWavFile } from '../../../electron/engine/audio/wavWriter';
import { join } from 'node:path';

describe('decodeAudioFile reads every supported format', () => {
  it.each([
    ['sine-440-44k1-16bit.wav', 'wav', 44100, 1, 2.0, 440],
    ['sine-1k-22k05-8bit.wav', 'wav', 22050, 1, 1.5, 1000],
    ['sine-220-32k-float.wav', 'wav', 32000, 1, 1.0, 220],
    ['chord-48k-24bit-stereo.wav', 'wav', 48000, 2, 2.0, null],
    ['chord.flac', 'flac', 48000, 2, 2.0, null],
    ['speech.mp3', 'mp3', 24000, 1, null, null],
    ['speech.ogg', 'oga', 24000, 1, null, null],
    ['speech.opus', 'opus', 48000, 1, null, null],
  ] as const)('%s', async (name, format, rate, channels, seconds, frequency) => {
    const audio = await decodeAudioFile(fixture(name));
    expect(audio.format).toBe(format);
    expect(audio.sampleRate).toBe(rate);
    expect(audio.channels.length).toBe(channels);
    const frames = audio.channels[0]!.length;
    if (seconds !== null) expect(frames).toBe(Math.round(seconds * rate));
    else expect(frames / rate).toBeGreaterThan(3);
    expect(rms(audio.channels[0]!)).toBeGreaterThan(0.01);
    if (frequency !== null) expect(zeroCrossingFrequency(audio.channels[0]!, rate)).toBeCloseTo(frequency, 0);
  });

  it('FLAC decodes to exactly the samples of the 24-bit WAV it was made from', async () => {
    const wav = await decodeAudioFile(fixture('chord-48k-24bit-stereo.wav'));
    const flac = await decodeAudioFile(fixture('chord.flac'));
    for (const c of [0, 1]) {
      let maxDifference = 0;
      for (let i = 0; i < wav.channels[c]!.length; i++) maxDifference = Math.max(maxDifference, Math.abs(wav.channels[c]![i]! - flac.channels[c]![i]!));
      expect(maxDifference).toBeLessThan(1e-6);
    }
  });

  it('compressed speech keeps the level of its source', async () => {
    const source = await decodeAudioFile(fixture('speech-24k.wav'));
    for (const name of ['speech.mp3', 'speech.ogg']) {
      const decoded = await decodeAudioFile(fixture(name));
      const ratioDb = 20 * Math.log10(rms(decoded.channels[0]!) / rms(source.channels[0]!));
      expect(Math.abs(ratioDb)).toBeLessThan(1);
    }
  });

  it('warns about a truncated WAV but still opens what is there', async () => {
    const audio = await decodeAudioFile(fixture('truncated.wav'));
    expect(audio.channels[0]!.length).toBeLessThan(44100 * 2);
    expect(audio.warnings.join(' ')).toMatch(/truncated: its header promises 2\.0 s but only 1\.1 s/);
  });

  it('reads a WAV we wrote ourselves at each depth', async () => {
    const dir = scratchDir('decode');
    for (const encoding of ['16', '24', '32f'] as const) {
      const path = join(dir, `x-${encoding}.wav`);
      await writeWavFile(path, [new Float32Array([0, 0.5, -0.5, 0.25])], 44100, encoding);
      const audio = await decodeAudioFile(path);
      expect(Array.from(audio.channels[0]!).map((x) => Number(x.toFixed(3)))).toEqual([0, 0.5, -0.5, 0.25]);
    }
  });
});
