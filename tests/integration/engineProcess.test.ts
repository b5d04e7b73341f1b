import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Progress } from '../../electron/contract/progress';
import { EngineClient } from '../../electron/host/engineClient';
import { nodeEngineLauncher } from '../../electron/host/engineChannel';
import { builtEngine, fixture, scratchDir } from '../fixtures/paths';

describe('the engine process', () => {
  const dir = scratchDir('engine');
  const engine = new EngineClient(nodeEngineLauncher(builtEngine));
  const long = join(dir, 'long.wav');

  beforeAll(() => {
    if (!existsSync(builtEngine)) throw new Error('Build first: npm run build (the tests drive the built engine).');
    // Two minutes of stereo at 48 kHz: resampling it takes long enough to cancel midway.
    execFileSync('sox', ['-n', '-r', '48000', '-b', '16', '-c', '2', long, 'synth', '120', 'sine', '440', 'sine', '660']);
  });
  afterAll(() => engine.dispose());

  it('starts on the first call and says hello from its own process', async () => {
    const hello = await engine.call('engine.hello', {});
    expect(hello.pid).not.toBe(process.pid);
    expect(hello.pid).toBe(engine.pid);
  });

  it('runs a job with progress reports and an ETA', async () => {
    const reports: Progress[] = [];
    const output = join(dir, 'converted.wav');
    const result = await engine.call('audio.convert', { input: fixture('chord-48k-24bit-stereo.wav'), output, sampleRate: 44100, encoding: '24' }, { onProgress: (p) => reports.push(p) });
    expect(result).toEqual({ output, sampleRate: 44100, channels: 2, frames: 88200 });
    expect(reports.map((r) => r.stage)).toEqual(expect.arrayContaining(['decode', 'resample', 'write']));
    const fractions = reports.map((r) => r.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
  });

  it('cancels a long job within a step, leaves no partial file, and keeps serving', async () => {
    const controller = new AbortController();
    const output = join(dir, 'cancelled.wav');
    let cancelledAt = 0;
    const job = engine.call('audio.convert', { input: long, output, sampleRate: 44100 }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'resample' && p.fraction > 0.05 && !cancelledAt) {
          cancelledAt = Date.now();
          controller.abort();
        }
      },
    });
    await expect(job).rejects.toMatchObject({ code: 'job/cancelled' });
    expect(Date.now() - cancelledAt).toBeLessThan(2000);
    expect(readdirSync(dir).filter((f) => f.startsWith('cancelled'))).toEqual([]);
    expect((await engine.call('engine.hello', {})).pid).toBe(engine.pid);
  });

  it('reports a killed engine plainly and starts a fresh one for the next job', async () => {
    const before = engine.pid;
    const job = engine.call('audio.convert', { input: long, output: join(dir, 'killed.wav'), sampleRate: 44100 }, {
      onProgress: () => engine.kill(),
    });
    await expect(job).rejects.toMatchObject({ code: 'engine/crashed', message: expect.stringMatching(/The engine stopped unexpectedly \(it was killed \(SIGTERM\)\); the job was lost/) });
    const hello = await engine.call('engine.hello', {});
    expect(hello.pid).not.toBe(before);
  });

  it('refuses an invalid request at its edge', async () => {
    // @ts-expect-error: a wrong parameter on purpose
    await expect(engine.call('audio.convert', { input: '', output: 3 })).rejects.toMatchObject({ code: 'request/invalid' });
  });

  it('prepares a clip: info, peaks and a playback copy', async () => {
    const prepared = await engine.call('audio.prepare', { path: fixture('speech.mp3'), outputDir: join(dir, 'clip') });
    expect(prepared.info.format).toBe('mp3');
    expect(prepared.peaks.min.length).toBeGreaterThan(100);
    expect(existsSync(prepared.playbackPath)).toBe(true);
    await expect(engine.call('audio.prepare', { path: fixture('silent.wav'), outputDir: join(dir, 'silent') })).rejects.toMatchObject({ code: 'audio/silent' });
  });
});
