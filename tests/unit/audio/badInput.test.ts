import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../electron/contract/errors';
import { SketchpadError } from '../../../electron/contract/errors';
import { decodeAudioFile } from '../../../electron/engine/audio/decodeAudio';
import { analyseAudio } from '../../../electron/engine/audio/analyseAudio';
import { writeWavFile } from '../../../electron/engine/audio/wavWriter';
import { fixture, scratchDir } from '../../fixtures/paths';

async function failure(path: string): Promise<SketchpadError> {
  try {
    await decodeAudioFile(path);
  } catch (error) {
    if (error instanceof SketchpadError) return error;
    throw error;
  }
  throw new Error(`expected ${path} to be refused`);
}

describe('bad input gets a specific, human message', () => {
  const dir = scratchDir('bad');

  beforeAll(() => {
    // Over the 20-minute limit: a real 21-minute file (WAV: refused from its header; Opus: while decoding).
    execFileSync('sox', ['-n', '-r', '8000', '-b', '8', '-c', '1', join(dir, 'long.wav'), 'synth', '1260', 'sine', '440']);
    execFileSync('ffmpeg', ['-loglevel', 'error', '-i', join(dir, 'long.wav'), '-c:a', 'libopus', '-b:a', '6k', join(dir, 'long.opus')]);
    mkdirSync(join(dir, 'folder.wav'));
  });

  it.each<[string, () => string, ErrorCode, RegExp]>([
    ['a missing file', () => join(dir, 'nothing-here.wav'), 'audio/not-found', /^No file at .*nothing-here\.wav\.$/],
    ['a folder', () => join(dir, 'folder.wav'), 'audio/is-directory', /is a folder, not an audio file/],
    ['an empty file', () => fixture('empty.wav'), 'audio/empty', /empty\.wav is empty \(0 bytes\)/],
    ['a text file', () => fixture('not-audio.wav'), 'audio/unsupported', /not-audio\.wav is not an audio format Sketchpad recognises\. Sketchpad reads WAV, FLAC, MP3, OGG Vorbis, Opus/],
    ['a PNG named .wav', () => join(dir, 'picture.wav'), 'audio/unsupported', /picture\.wav is a PNG image/],
    ['a truncated FLAC', () => fixture('truncated.flac'), 'audio/corrupt', /No audio could be decoded from truncated\.flac: the FLAC file is damaged or truncated/],
    ['a corrupt MP3', () => fixture('corrupt.mp3'), 'audio/corrupt', /corrupt\.mp3.*damaged/],
    ['a 21-minute WAV', () => join(dir, 'long.wav'), 'audio/too-long', /long\.wav is 21 min 0 s long; Sketchpad opens clips up to 20 minutes/],
    ['a 21-minute Opus', () => join(dir, 'long.opus'), 'audio/too-long', /long\.opus is 20 min \d+ s long|long\.opus is 2\d min \d+ s long/],
  ])('%s', async (_, path, code, message) => {
    if (path().endsWith('picture.wav')) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(path(), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]));
    }
    const error = await failure(path());
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('a file full of NaN samples', async () => {
    const path = join(dir, 'nan.wav');
    await writeWavFile(path, [new Float32Array([0.1, Number.NaN, 0.2, Number.NaN])], 44100, '32f');
    const error = await failure(path);
    expect(error.code).toBe('audio/invalid-samples');
    expect(error.message).toMatch(/nan\.wav contains invalid samples \(NaN or infinity\)/);
  });

  it('a silent clip opens, with the warning that there is nothing to continue', async () => {
    const info = analyseAudio(await decodeAudioFile(fixture('silent.wav')));
    expect(info.peakDb ?? -Infinity).toBeLessThan(-80); // sox dithers: a stray LSB or two
    expect(info.loudnessLufs).toBeNull();
    expect(info.warnings).toContain('The clip is silent: there is nothing to continue from.');
  });

  it('a clipped clip opens, with a clipping warning', async () => {
    const info = analyseAudio(await decodeAudioFile(fixture('clipped.wav')));
    expect(info.clippedFraction).toBeGreaterThan(0.1);
    expect(info.warnings.join(' ')).toMatch(/The clip is clipped: \d+\.\d% of samples are at full scale/);
  });

  it('a clean clip has no warnings', async () => {
    const info = analyseAudio(await decodeAudioFile(fixture('sine-440-44k1-16bit.wav')));
    expect(info.warnings).toEqual([]);
  });
});
