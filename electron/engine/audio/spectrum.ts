import FFT from 'fft.js';

/** Power spectra of Hann-windowed frames: frames[t][bin], bins = size / 2 + 1. Frames start at t * hop. */
export function powerSpectrogram(audio: Float32Array, size: number, hop: number): Float32Array[] {
  const fft = new FFT(size);
  const window = Float64Array.from({ length: size }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
  const input = new Array<number>(size).fill(0);
  const output = fft.createComplexArray() as number[];
  const frames: Float32Array[] = [];
  for (let start = 0; start + size <= audio.length; start += hop) {
    for (let i = 0; i < size; i++) input[i] = audio[start + i]! * window[i]!;
    fft.realTransform(output, input);
    const power = new Float32Array(size / 2 + 1);
    for (let k = 0; k <= size / 2; k++) power[k] = output[2 * k]! ** 2 + output[2 * k + 1]! ** 2;
    frames.push(power);
  }
  return frames;
}

/** The mean of those spectra (Welch's method); null where the audio is shorter than one frame. */
export function averagePowerSpectrum(audio: Float32Array, size: number, hop: number): Float64Array | null {
  const frames = powerSpectrogram(audio, size, hop);
  if (!frames.length) return null;
  const mean = new Float64Array(size / 2 + 1);
  for (const frame of frames) for (let k = 0; k < mean.length; k++) mean[k]! += frame[k]! / frames.length;
  return mean;
}
