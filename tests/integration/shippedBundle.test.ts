import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBin, repoRoot, scratchDir } from '../fixtures/paths';

/** The bundle that ships in models/ and the demo clips that ship in resources/demo/. */
const shippedName = 'sketchpad-general';
const shippedModels = join(repoRoot, 'models');
const demo = (name: string) => join(repoRoot, 'resources', 'demo', name);

function sketchpad(...args: string[]) {
  const run = spawnSync(process.execPath, [cliBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, SKETCHPAD_MODELS_DIR: shippedModels, SKETCHPAD_USER_BUNDLES: scratchDir('shipped-user') },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface ClipInfo { durationSeconds: number; peakDb: number | null; loudnessLufs: number | null }
const info = (file: string) => JSON.parse(sketchpad('info', file, '--json').stdout) as ClipInfo;

describe('the shipped bundle and demo clips', () => {
  it('ships where the app looks, and is the default for every domain', () => {
    expect(existsSync(join(shippedModels, shippedName, 'bundle.json'))).toBe(true);
    const listed = JSON.parse(sketchpad('models', 'list', '--json').stdout) as { name: string; domain: string; isDefault: boolean; source: string }[];
    expect(listed).toContainEqual(expect.objectContaining({ name: shippedName, domain: 'general', isDefault: true, source: 'shipped' }));
  });

  it('passes the full verification: hashes, ONNX signatures, no way out of its folder', () => {
    const run = sketchpad('models', 'verify', shippedName);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it.each([
    ['piano', 'piano-phrase.flac'],
    ['speech', 'speech-sentence.flac'],
  ])('continues the %s demo clip with audible takes at about the prompt\'s loudness', (domain, clip) => {
    const out = join(scratchDir(`shipped-${domain}`), 'takes');
    const run = sketchpad('continue', demo(clip), '--out', out, '--domain', domain, '--seconds', '2', '--variants', '2', '--seed', '5', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { files } = JSON.parse(run.stdout) as { files: string[] };
    const prompt = info(demo(clip));
    for (const file of files) {
      const take = info(file);
      expect(take.durationSeconds).toBe(2);
      // A broken model (silence, noise at full scale, a runaway level) lands far outside this band.
      expect(take.loudnessLufs).not.toBeNull();
      expect(Math.abs(take.loudnessLufs! - prompt.loudnessLufs!)).toBeLessThan(15);
      expect(take.peakDb!).toBeLessThan(0);
    }
  });
});
