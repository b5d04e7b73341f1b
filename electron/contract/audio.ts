import { z } from 'zod';

/** What `sketchpad info` and an import report about a clip. */
export const audioInfoSchema = z.object({
  /** Container/codec as detected from the file's bytes, e.g. "wav", "flac", "mp3", "ogg-vorbis", "opus". */
  format: z.string(),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
  frames: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
  /** Highest absolute sample over all channels, in dBFS (-Infinity is sent as null). */
  peakDb: z.number().nullable(),
  /** Integrated loudness (ITU-R BS.1770 with gating), LUFS; null when the clip is too quiet to gate. */
  loudnessLufs: z.number().nullable(),
  /** Share of samples at or beyond full scale: a hint the recording clipped. */
  clippedFraction: z.number().min(0).max(1),
  /** Human remarks that do not stop work: clipping, a near-silent clip, a truncated file. */
  warnings: z.array(z.string()),
});
export type AudioInfo = z.infer<typeof audioInfoSchema>;

/** Min/max envelope of the downmixed clip, `bucketsPerSecond` pairs per second of audio. */
export const waveformPeaksSchema = z.object({
  bucketsPerSecond: z.number().positive(),
  min: z.array(z.number()),
  max: z.array(z.number()),
});
export type WaveformPeaks = z.infer<typeof waveformPeaksSchema>;

export const wavEncodings = ['16', '24', '32f'] as const;
export const wavEncodingSchema = z.enum(wavEncodings);
export type WavEncoding = z.infer<typeof wavEncodingSchema>;

/** Standard rates we write; any of them can be asked for on export or convert. */
export const standardSampleRates = [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000] as const;
