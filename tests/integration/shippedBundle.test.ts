import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyRanking } from '../../electron/contract/bundle';
import { cliBin, repoRoot, scratchDir } from '../fixtures/paths';

/** The bundles that ship in models/ and the demo clips that ship in resources/demo/. */
const general = 'sketchpad-general';
const piano = 'sketchpad-piano';
const speech = 'sketchpad-speech';
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

describe('the shipped bundles and demo clips', () => {
  it('ship where the app looks: the general bundle for any clip, the piano and speech ones the defaults for their domains', () => {
    for (const name of [general, piano, speech]) expect(existsSync(join(shippedModels, name, 'bundle.json'))).toBe(true);
    const listed = JSON.parse(sketchpad('models', 'list', '--json').stdout) as { name: string; domain: string; isDefault: boolean; source: string; fineStage: boolean }[];
    // The piano and speech chains decode their coarse levels alone (session 30); the general one keeps its fine LM.
    expect(listed).toContainEqual(expect.objectContaining({ name: general, domain: 'general', isDefault: true, source: 'shipped', fineStage: true }));
    expect(listed).toContainEqual(expect.objectContaining({ name: piano, domain: 'piano', isDefault: true, source: 'shipped', fineStage: false }));
    expect(listed).toContainEqual(expect.objectContaining({ name: speech, domain: 'speech', isDefault: true, source: 'shipped', fineStage: false }));
  });

  it.each([general, piano, speech])('%s passes the full verification: hashes, ONNX signatures, no way out of its folder', (name) => {
    const run = sketchpad('models', 'verify', name);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it.each([
    ['piano', 'piano-phrase.flac', ['--domain', 'piano'], piano, false],
    ['speech', 'speech-sentence.flac', ['--domain', 'speech'], speech, false],
    // Named neither bundle nor domain: the prompt's sound picks the domain's default.
    ['unmarked piano', 'piano-phrase.flac', [], piano, false],
    ['unmarked speech', 'speech-sentence.flac', [], speech, false],
    ['general', 'speech-sentence.flac', ['--bundle', general], general, true],
  ])('continues the %s demo clip with audible takes at about the prompt\'s loudness', (label, clip, domain, bundle, fineStage) => {
    const out = join(scratchDir(`shipped-${label.replace(' ', '-')}`), 'takes');
    const run = sketchpad('continue', demo(clip), '--out', out, ...domain, '--seconds', '2', '--variants', '2', '--seed', '5', '--json');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { files: string[]; bundle: string; timings: { fine: number }; drawnTakes: number };
    expect(result.bundle).toBe(bundle);
    expect(result.timings.fine > 0).toBe(fineStage);
    // The piano and speech bundles draw more takes (speech 3 per take, its key profile says so) and
    // keep those nearest the prompt's key; the general one has no key profile.
    expect(result.drawnTakes).toBe({ [general]: 2, [piano]: 2 * keyRanking.defaultCandidatesPerTake, [speech]: 2 * 3 }[bundle]);
    const { files } = result;
    const prompt = info(demo(clip));
    for (const file of files) {
      const take = info(file);
      expect(take.durationSeconds).toBe(2);
      // A broken model (silence, noise at full scale, a runaway level) lands far outside this band.
      expect(take.loudnessLufs).not.toBeNull();
      expect(Math.abs(take.loudnessLufs! - prompt.loudnessLufs!)).toBeLessThan(15);
      expect(take.peakDb!).toBeLessThanOrEqual(-0.99); // the limiter's ceiling, after 16-bit rounding
    }
  });

  it('draws exactly the takes asked for with --candidates 1', () => {
    const out = join(scratchDir('shipped-one-candidate'), 'takes');
    const run = sketchpad('continue', demo('piano-phrase.flac'), '--out', out, '--bundle', piano, '--seconds', '1', '--variants', '2', '--candidates', '1', '--json');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { drawnTakes: number }).drawnTakes).toBe(2);
  });
});
