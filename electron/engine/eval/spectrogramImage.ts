import { PNG } from 'pngjs';
import { logMel } from '../audio/spectral';

// Stops of a dark-to-bright colour map (close to magma).
const stops: [number, number, number][] = [[0, 0, 4], [59, 15, 112], [140, 41, 129], [222, 73, 104], [254, 159, 109], [252, 253, 191]];

function colour(x: number): [number, number, number] {
  const t = Math.min(1, Math.max(0, x)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(t));
  const f = t - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/**
 * A log-mel spectrogram of 16 kHz audio as PNG bytes: 10 ms per pixel column, low frequencies at
 * the bottom, 70 dB of range; `markAt` (seconds) draws the seam as a white line.
 */
export function spectrogramPng(audio16k: Float32Array, markAt?: number): Buffer {
  const frames = logMel(audio16k);
  const bands = frames[0]?.length ?? 80;
  const rowsPerBand = 2;
  const png = new PNG({ width: Math.max(1, frames.length), height: bands * rowsPerBand });
  let top = -Infinity;
  for (const frame of frames) for (const x of frame) top = Math.max(top, x);
  const range = 70 / (20 / Math.LN10) / 2; // 70 dB of power in nepers of log-power
  const mark = markAt === undefined ? -1 : Math.round(markAt * 100);
  for (let t = 0; t < frames.length; t++) {
    for (let b = 0; b < bands; b++) {
      const [r, g, bl] = t === mark ? [255, 255, 255] : colour((frames[t]![b]! - (top - 2 * range)) / (2 * range));
      for (let k = 0; k < rowsPerBand; k++) {
        const y = (bands - 1 - b) * rowsPerBand + k;
        const at = (y * png.width + t) * 4;
        png.data[at] = r;
        png.data[at + 1] = g;
        png.data[at + 2] = bl;
        png.data[at + 3] = 255;
      }
    }
  }
  return PNG.sync.write(png);
}
