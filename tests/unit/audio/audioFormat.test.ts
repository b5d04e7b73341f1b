import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, wavDeclaredLength } from '../../../electron/engine/audio/audioFormat';
import { fixture } from '../../fixtures/paths';

describe('format detection from the first bytes', () => {
  it.each([
    ['sine-440-44k1-16bit.wav', 'wav'],
    ['chord-48k-24bit-stereo.wav', 'wav'],
    ['chord.flac', 'flac'],
    ['speech.mp3', 'mp3'],
    ['speech.ogg', 'oga'],
    ['speech.opus', 'opus'],
    ['not-audio.wav', null],
  ])('%s is %s', (name, format) => {
    expect(detectFormat(readFileSync(fixture(name))).format).toBe(format);
  });

  it('names common non-audio files', () => {
    expect(detectFormat(new TextEncoder().encode('%PDF-1.7 ...')).what).toBe('a PDF document');
    expect(detectFormat(new TextEncoder().encode('PK\u0003\u0004....')).what).toBe('a zip archive');
  });

  it('reads the declared length of a WAV from its header', () => {
    expect(wavDeclaredLength(readFileSync(fixture('sine-440-44k1-16bit.wav')))).toEqual({ frames: 88200, sampleRate: 44100 });
    expect(wavDeclaredLength(readFileSync(fixture('truncated.wav')))).toEqual({ frames: 88200, sampleRate: 44100 });
  });
});
