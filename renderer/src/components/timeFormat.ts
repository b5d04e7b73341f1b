/** m:ss.t, the way a musician reads a position. */
export function formatTime(seconds: number): string {
  const safe = Math.max(0, seconds);
  const m = Math.floor(safe / 60);
  const s = safe - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

/** A ruler step (seconds) that leaves at least `minPixels` between labelled ticks. */
export function rulerStep(pixelsPerSecond: number, minPixels = 70): number {
  const steps = [0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300];
  return steps.find((s) => s * pixelsPerSecond >= minPixels) ?? 600;
}
