import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { analyseAudio, waveformPeaks } from '../../../electron/engine/audio/analyseAudio';
import { decodeAudioFile } from '../../../electron/engine/audio/decodeAudio';
import { integratedLoudness } from '../../../electron/engine/audio/loudness';
import { fixture } from '../../fixtures/paths';
import { sine } from '../../fixtures/signals';

function ffmpegLoudness(path: string): number {
  const { stderr } = spawnSync('ffmpeg', ['-hide_banner', '-nostats', '-i', path, '-af', 'ebur128', '-f', 'null', '-'], { encoding: 'utf8' });
  const match = /Integrated loudness:\s+I:\s+(-?[\d.]+) LUFS/.exec(stderr);
  if (!match) throw new Error('ffmpeg gave no loudness');
  return Number(match[1]);
}

describe('loudness and peaks', () => {
  it('a full-scale 997 Hz sine in one channel reads -3.01 LUFS (BS.1770 calibration)', () => {
    for (const rate of [44100, 48000]) {
      expect(integratedLoudness([sine(997, rate, 3, 1)], rate)).toBeCloseTo(-3.01, 1);
    }
  });

  it('is 20 dB lower for a signal 20 dB quieter', () => {
    const loud = integratedLoudness([sine(997, 48000, 3, 0.5)], 48000)!;
    const quiet = integratedLoudness([sine(997, 48000, 3, 0.05)], 48000)!;
    expect(loud - quiet).toBeCloseTo(20, 2);
  });

  it.each(['chord-48k-24bit-stereo.wav', 'speech-24k.wav', 'sine-440-44k1-16bit.wav'])('agrees with ffmpeg\'s ebur128 on %s within 0.3 LU', async (name) => {
    const info = analyseAudio(await decodeAudioFile(fixture(name)));
    expect(Math.abs(info.loudnessLufs! - ffmpegLoudness(fixture(name)))).toBeLessThan(0.3);
  });

  it('reports the peak of a -6 dB sine as -6 dBFS', async () => {
    const info = analyseAudio(await decodeAudioFile(fixture('sine-440-44k1-16bit.wav')));
    expect(info.peakDb).toBeCloseTo(-6.02, 1);
  });

  it('waveform peaks hold the envelope of the downmix', () => {
    const peaks = waveformPeaks([sine(50, 1000, 2, 0.8)], 1000, 10);
    expect(peaks.min.length).toBe(20);
    expect(Math.max(...peaks.max)).toBeCloseTo(0.8, 2);
    expect(Math.min(...peaks.min)).toBeCloseTo(-0.8, 2);
  });
});
