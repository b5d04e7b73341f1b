import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudioFile } from '../audio/decodeAudio';
import { writeWavFile } from '../audio/wavWriter';

let available: boolean | null = null;
/** SKETCHPAD_FFMPEG names another ffmpeg (or none, with a path that does not exist). */
const ffmpeg = (): string => process.env.SKETCHPAD_FFMPEG ?? 'ffmpeg';

/** Whether ffmpeg with libopus is on this machine (asked once). */
export function opusAvailable(): boolean {
  if (available === null) {
    const probe = spawnSync(ffmpeg(), ['-hide_banner', '-encoders'], { encoding: 'utf8' });
    available = probe.status === 0 && /libopus/.test(probe.stdout);
  }
  return available;
}

/** The clip through Opus at `kbps` (ffmpeg libopus) and back: mono audio and its rate. */
export async function opusRoundTrip(audio: Float32Array, rate: number, kbps: number): Promise<{ audio: Float32Array; sampleRate: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sketchpad-opus-'));
  try {
    const input = join(dir, 'in.wav');
    const encoded = join(dir, 'out.opus');
    await writeWavFile(input, [audio], rate, '32f');
    const run = spawnSync(ffmpeg(), ['-loglevel', 'error', '-y', '-i', input, '-ac', '1', '-c:a', 'libopus', '-b:a', `${kbps}k`, encoded], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`ffmpeg failed: ${run.stderr.trim()}`);
    const decoded = await decodeAudioFile(encoded);
    return { audio: decoded.channels[0]!, sampleRate: decoded.sampleRate };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
