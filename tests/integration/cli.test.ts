import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBin, fixture, repoRoot, scratchDir } from '../fixtures/paths';

function sketchpad(...args: string[]) {
  const run = spawnSync(process.execPath, [cliBin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('the sketchpad CLI', () => {
  const dir = scratchDir('cli');

  it('--version and --help', () => {
    expect(sketchpad('--version').stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = sketchpad('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/info \[options\] <file>/);
    expect(help.stdout).toMatch(/convert \[options\] <input>/);
  });

  it.each([
    ['sine-440-44k1-16bit.wav', 'wav', 44100, 1],
    ['chord-48k-24bit-stereo.wav', 'wav', 48000, 2],
    ['sine-1k-22k05-8bit.wav', 'wav', 22050, 1],
    ['sine-220-32k-float.wav', 'wav', 32000, 1],
    ['chord.flac', 'flac', 48000, 2],
    ['speech.mp3', 'mp3', 24000, 1],
    ['speech.ogg', 'ogg-vorbis', 24000, 1],
    ['speech.opus', 'opus', 48000, 1],
  ])('info --json %s', (name, format, sampleRate, channels) => {
    const run = sketchpad('info', fixture(name), '--json');
    expect(run.code).toBe(0);
    const info = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(info).toMatchObject({ format, sampleRate, channels });
    expect(info.loudnessLufs).toEqual(expect.any(Number));
  });

  it('info prints a readable summary with warnings', () => {
    const run = sketchpad('info', fixture('clipped.wav'));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/sample rate 44100 Hz/);
    expect(run.stdout).toMatch(/warning: The clip is clipped/);
  });

  it.each(['16', '24', '32f'])('convert any format to %s-bit WAV at 48 kHz', (bits) => {
    const out = join(dir, `speech-${bits}.wav`);
    const run = sketchpad('convert', fixture('speech.ogg'), '--out', out, '--rate', '48000', '--bits', bits, '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ sampleRate: 48000, channels: 1 });
    const info = JSON.parse(sketchpad('info', out, '--json').stdout) as { sampleRate: number; durationSeconds: number };
    expect(info.sampleRate).toBe(48000);
  });

  it.each([
    [['info', 'tests/fixtures/audio/nope.wav'], /^sketchpad: No file at .*nope\.wav\.$/],
    [['info', 'tests/fixtures/audio'], /is a folder, not an audio file/],
    [['info', 'tests/fixtures/audio/empty.wav'], /empty\.wav is empty \(0 bytes\)/],
    [['info', 'tests/fixtures/audio/not-audio.wav'], /not an audio format Sketchpad recognises/],
    [['info', 'tests/fixtures/audio/truncated.flac'], /the FLAC file is damaged or truncated/],
    [['info', 'tests/fixtures/audio/corrupt.mp3'], /corrupt\.mp3.*damaged/],
    [['convert', 'tests/fixtures/audio/speech.mp3', '--out', '/no/such/folder/x.wav'], /The output folder \/no\/such\/folder does not exist/],
    [['convert', 'tests/fixtures/audio/speech.mp3', '--out', 'x.mp3'], /must end in \.wav/],
  ])('%j fails with its own message and no stack trace', (args, message) => {
    const run = sketchpad(...args);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects bad options as usage errors', () => {
    const run = sketchpad('convert', fixture('speech.mp3'), '--out', join(dir, 'x.wav'), '--bits', '12');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/choose one of 16, 24, 32f/);
  });
});
