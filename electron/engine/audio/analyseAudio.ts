import type { AudioInfo, WaveformPeaks } from '../../contract/audio';
import { audioLimits } from './audioLimits';
import { downmix } from './channels';
import type { DecodedAudio } from './decodeAudio';
import { integratedLoudness } from './loudness';

export function peakOf(channels: readonly Float32Array[]): number {
  let peak = 0;
  for (const channel of channels) for (let i = 0; i < channel.length; i++) peak = Math.max(peak, Math.abs(channel[i]!));
  return peak;
}

export function toDb(amplitude: number): number | null {
  return amplitude > 0 ? 20 * Math.log10(amplitude) : null;
}

const round = (x: number | null, digits = 2): number | null => (x === null ? null : Number(x.toFixed(digits)));

/** Everything `sketchpad info` reports, with the remarks a person should hear about. */
export function analyseAudio(audio: DecodedAudio): AudioInfo {
  const frames = audio.channels[0]?.length ?? 0;
  const peak = peakOf(audio.channels);
  let clipped = 0;
  for (const channel of audio.channels) for (let i = 0; i < channel.length; i++) if (Math.abs(channel[i]!) >= audioLimits.clipLevel) clipped++;
  const clippedFraction = frames ? clipped / (frames * audio.channels.length) : 0;
  const warnings = [...audio.warnings];
  const peakDb = toDb(peak);
  if (peakDb === null || peakDb < audioLimits.silenceDb) warnings.push('The clip is silent: there is nothing to continue from.');
  // A few isolated full-scale samples are normal for mastered audio; runs of them are clipping.
  if (clippedFraction > 0.001) warnings.push(`The clip is clipped: ${(clippedFraction * 100).toFixed(1)}% of samples are at full scale, so continuations will carry the distortion.`);
  return {
    format: audio.format === 'oga' ? 'ogg-vorbis' : audio.format,
    sampleRate: audio.sampleRate,
    channels: audio.channels.length,
    frames,
    durationSeconds: frames / audio.sampleRate,
    peakDb: round(peakDb),
    loudnessLufs: round(integratedLoudness(audio.channels, audio.sampleRate)),
    clippedFraction,
    warnings,
  };
}

export function isSilent(info: AudioInfo): boolean {
  return info.peakDb === null || info.peakDb < audioLimits.silenceDb;
}

/** Min/max per bucket of the downmix, for drawing the waveform at any zoom down to the bucket size. */
export function waveformPeaks(channels: readonly Float32Array[], sampleRate: number, bucketsPerSecond = 200): WaveformPeaks {
  const mono = downmix(channels);
  const bucket = Math.max(1, Math.round(sampleRate / bucketsPerSecond));
  const count = Math.ceil(mono.length / bucket);
  const min = new Array<number>(count);
  const max = new Array<number>(count);
  for (let b = 0; b < count; b++) {
    let lo = 0, hi = 0;
    const end = Math.min(mono.length, (b + 1) * bucket);
    for (let i = b * bucket; i < end; i++) {
      const x = mono[i]!;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    min[b] = Number(lo.toFixed(4));
    max[b] = Number(hi.toFixed(4));
  }
  return { bucketsPerSecond: sampleRate / bucket, min, max };
}
