/** Limits that keep one clip from exhausting memory; a person hears about them by name. */
export const audioLimits = {
  /** The longest clip we open: a sketch is seconds to minutes long. */
  maxDurationSeconds: 20 * 60,
  /** The largest file we read at all (a 20-minute 96 kHz stereo 32-bit WAV is ~0.9 GB). */
  maxFileBytes: 1024 ** 3,
  /** Quieter than this everywhere and the clip counts as silent. */
  silenceDb: -80,
  /** Samples at or above this magnitude count as clipped. */
  clipLevel: 0.999,
} as const;
