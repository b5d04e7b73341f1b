import type { WaveformPeaks } from '../../../electron/contract/audio';

/** Draws min/max peaks into a canvas `width` CSS pixels wide, one column per device pixel. */
export function drawWaveform(canvas: HTMLCanvasElement, peaks: WaveformPeaks, width: number, height: number, scale: number, color: string): void {
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  context.fillStyle = color;
  const columns = canvas.width;
  const bucketsPerColumn = peaks.min.length / columns;
  const middle = canvas.height / 2;
  for (let x = 0; x < columns; x++) {
    const from = Math.floor(x * bucketsPerColumn);
    const to = Math.max(from + 1, Math.floor((x + 1) * bucketsPerColumn));
    let lo = 0, hi = 0;
    for (let b = from; b < to && b < peaks.min.length; b++) {
      lo = Math.min(lo, peaks.min[b]!);
      hi = Math.max(hi, peaks.max[b]!);
    }
    const top = middle - hi * middle;
    context.fillRect(x, top, 1, Math.max(1, (hi - lo) * middle));
  }
}
