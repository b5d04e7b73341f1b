import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../electron/engine/bundles/bundleVerifier';
import { checkSettings } from '../../electron/engine/pipeline/continuation';
import { EngineClient } from '../../electron/host/engineClient';
import { nodeEngineLauncher } from '../../electron/host/engineChannel';
import { tinyBundle } from '../fixtures/bundles';
import { builtEngine, cliBin, fixture, repoRoot, scratchDir } from '../fixtures/paths';

function sketchpad(...args: string[]) {
  const run = spawnSync(process.execPath, [cliBin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const continueJson = (out: string, ...extra: string[]) => {
  const run = sketchpad('continue', fixture('speech-24k.wav'), '--out', out, '--bundle', tinyBundle, '--json', ...extra);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { files: string[]; seed: number; sampleRate: number; variants: number };
};

const info = (file: string) => JSON.parse(sketchpad('info', file, '--json').stdout) as { sampleRate: number; channels: number; durationSeconds: number; peakDb: number | null };

/**
 * The tiny bundle opened in this process with a steady tone for a prompt, and the same bundle as if
 * trained without a null semantic token: for what the pipeline refuses or follows before the CLI.
 */
async function inProcessChain() {
  const { loadBundle } = await import('../../electron/engine/bundles/bundleVerifier');
  const { continueAudio } = await import('../../electron/engine/pipeline/continuation');
  const bundle = await loadBundle(tinyBundle, { providers: ['cpu'], label: 'CPU' });
  const withoutNull = { ...bundle, manifest: { ...bundle.manifest, semantic: { ...bundle.manifest.semantic, nullToken: undefined } } };
  const prompt = new Float32Array(24000).map((_, i) => 0.3 * Math.sin(i / 10));
  const run = (chain: typeof bundle, settings: Parameters<typeof continueAudio>[2]) => continueAudio(chain, prompt, settings, async () => undefined);
  return { bundle, manifest: bundle.manifest, withoutNull, run };
}

describe('sketchpad continue with the tiny bundle', () => {
  const dir = scratchDir('continue');

  it('writes N distinct, non-silent WAVs of the requested length, mono 16-bit at the bundle rate', () => {
    const result = continueJson(join(dir, 'a'), '--seconds', '2', '--variants', '3', '--seed', '11');
    expect(result.files.map((f) => f.split('/').pop())).toEqual(['variant-1.wav', 'variant-2.wav', 'variant-3.wav']);
    const bytes = result.files.map((f) => readFileSync(f));
    expect(new Set(bytes.map((b) => b.toString('base64'))).size).toBe(3);
    for (const file of result.files) {
      expect(info(file)).toMatchObject({ sampleRate: 24000, channels: 1, durationSeconds: 2 });
      expect(info(file).peakDb).toBeGreaterThan(-60);
      expect(execFileSync('soxi', ['-b', file]).toString().trim()).toBe('16');
    }
  });

  it('reproduces the same audio bit for bit from the same seed, and other audio from another', () => {
    const first = continueJson(join(dir, 'seed-1'), '--seconds', '1', '--variants', '2', '--seed', '99');
    const again = continueJson(join(dir, 'seed-2'), '--seconds', '1', '--variants', '2', '--seed', '99');
    const other = continueJson(join(dir, 'seed-3'), '--seconds', '1', '--variants', '2', '--seed', '100');
    expect(readFileSync(again.files[0]!)).toEqual(readFileSync(first.files[0]!));
    expect(readFileSync(again.files[1]!)).toEqual(readFileSync(first.files[1]!));
    expect(readFileSync(other.files[0]!)).not.toEqual(readFileSync(first.files[0]!));
  });

  it('goes on past the models\' context: 16 s is over 3x the semantic and coarse windows (5.1 s each)', () => {
    const result = continueJson(join(dir, 'long'), '--seconds', '16', '--variants', '1', '--seed', '3');
    expect(info(result.files[0]!).durationSeconds).toBe(16);
  });

  it('codec round trip and tokens', () => {
    const out = join(dir, 'codec.wav');
    const codec = JSON.parse(sketchpad('codec', fixture('speech.mp3'), '--out', out, '--bundle', tinyBundle, '--json').stdout) as { kbps: number; levels: number };
    expect(codec).toMatchObject({ kbps: 4, levels: 8 });
    expect(info(out).sampleRate).toBe(24000);
    const tokens = JSON.parse(sketchpad('tokens', fixture('sine-440-44k1-16bit.wav'), '--bundle', tinyBundle, '--json').stdout) as { semantic: number[]; acoustic: number[][] };
    expect(tokens.semantic).toHaveLength(50);
    expect(tokens.acoustic).toHaveLength(8);
    expect(tokens.acoustic[0]).toHaveLength(100);
  });

  it('bench reports per-stage times with the cache on and off', () => {
    const run = sketchpad('bench', '--bundle', tinyBundle, '--prompt-seconds', '2', '--seconds', '2', '--variants', '2', '--json');
    expect(run.code).toBe(0);
    const bench = JSON.parse(run.stdout) as { cached: { timings: Record<string, number>; peakRssMb: number }; speedup: number };
    expect(Object.keys(bench.cached.timings)).toEqual(['tokenize', 'semantic', 'coarse', 'fine', 'decode', 'choose']);
    expect(bench.cached.peakRssMb).toBeGreaterThan(10);
    expect(bench.speedup).toBeGreaterThan(0);
  });
});

describe('continue refuses bad input with a specific message and leaves no files', () => {
  const dir = scratchDir('continue-bad');
  const short = join(dir, 'short.wav');
  const long = join(dir, 'long.wav');
  const pianoOnly = join(dir, 'piano-only');
  execFileSync('sox', ['-n', '-r', '24000', '-b', '16', short, 'synth', '0.02', 'sine', '440']);
  execFileSync('sox', ['-n', '-r', '24000', '-b', '16', long, 'synth', '31', 'sine', '440']);
  cpSync(tinyBundle, pianoOnly, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(pianoOnly, 'bundle.json'), 'utf8')) as { domain: string };
  manifest.domain = 'piano';
  writeFileSync(join(pianoOnly, 'bundle.json'), JSON.stringify(manifest));

  it.each<[string, string[], RegExp]>([
    ['zero seconds', ['--seconds', '0'], /The continuation length must be more than 0 and at most 300 seconds \(asked: 0\)/],
    ['absurd seconds', ['--seconds', '99999'], /at most 300 seconds \(asked: 99999\)/],
    ['zero variants', ['--variants', '0'], /The number of variants must be a whole number from 1 to 16 \(asked: 0\)/],
    ['too many variants', ['--variants', '64'], /from 1 to 16 \(asked: 64\)/],
    ['an unknown bundle name', ['--bundle', 'grand-piano'], /There is no bundle named "grand-piano"/],
    ['a bundle for another domain', ['--bundle', pianoOnly, '--domain', 'speech'], /The bundle tiny-test is made for piano, and this prompt is speech/],
    ['a prompt shorter than one token', ['--prompt', short], /The prompt is 20 ms long; it must hold at least one semantic token \(40 ms\)/],
    ['a prompt over the limit', ['--prompt', long], /The prompt is 31\.0 s long; choose a region of at most 30 s/],
    ['a silent prompt', ['--prompt', fixture('silent.wav')], /silent\.wav is silent: there is nothing to continue from/],
    ['a corrupt prompt', ['--prompt', fixture('corrupt.mp3')], /corrupt\.mp3.*damaged/],
  ])('%s', (name, args, message) => {
    const out = join(dir, name.replace(/\W+/g, '-'));
    const promptIndex = args.indexOf('--prompt');
    const prompt = promptIndex >= 0 ? args.splice(promptIndex, 2)[1]! : fixture('speech-24k.wav');
    const withBundle = args.includes('--bundle') ? args : [...args, '--bundle', tinyBundle];
    const run = sketchpad('continue', prompt, '--out', out, '--seconds', args.includes('--seconds') ? args[args.indexOf('--seconds') + 1]! : '1', ...withBundle.filter((_, i, all) => all[i] !== '--seconds' && all[i - 1] !== '--seconds'));
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(message);
    expect(readdirSync(dir).includes(name.replace(/\W+/g, '-')) ? readdirSync(out) : []).toEqual([]);
  });

  it('refuses the acoustic-only chain for a bundle trained without a null semantic token', async () => {
    const { bundle, manifest, withoutNull, run } = await inProcessChain();
    expect(manifest.semantic.nullToken).toBe(manifest.semantic.vocabSize);
    const settings = { seconds: 1, variants: 1, seed: 1, sampling: manifest.sampling, acousticOnly: true };
    await expect(run(withoutNull, settings)).rejects.toThrow(/has no null semantic token, so it cannot run without its semantic stage/);
    const ablated = await run(bundle, settings);
    expect(ablated.audio[0]!.length).toBe(24000);
    expect(ablated.timings.semantic).toBe(0);
  });

  it('guides the coarse stage on request: scale 1 is the unguided draw, 2 another; without a null token it refuses', async () => {
    const { bundle, manifest, withoutNull, run } = await inProcessChain();
    const withGuidance = (guidance?: number) => ({ seconds: 1, variants: 2, seed: 3, sampling: { ...manifest.sampling, coarse: { ...manifest.sampling.coarse, guidance } } });
    const guided = async (guidance?: number) => (await run(bundle, withGuidance(guidance))).audio;
    const [plain, one, two] = [await guided(), await guided(1), await guided(2)];
    expect(one).toEqual(plain);
    expect(two[0]!.length).toBe(plain[0]!.length);
    expect(two).not.toEqual(plain);
    await expect(run(withoutNull, withGuidance(2))).rejects.toThrow(/has no null semantic token, so its coarse stage cannot be guided/);
  });

  it('follows a given semantic plan instead of sampling one (the eval\'s semantic oracle)', async () => {
    const { bundle, manifest, run } = await inProcessChain();
    const settings = { seconds: 1, variants: 1, seed: 1, sampling: { ...manifest.sampling, coarse: { ...manifest.sampling.coarse, temperature: 0 } } };
    const planned = (token: number) => run(bundle, { ...settings, semanticPlan: new Int32Array(3).fill(token) });
    const [three, threeAgain, seven] = [await planned(3), await planned(3), await planned(7)];
    expect(three.steps.semantic).toBe(0);
    expect(three.audio[0]).toEqual(threeAgain.audio[0]);
    // The coarse LM is conditioned on the plan: another plan, other codes, other audio.
    expect(seven.audio[0]).not.toEqual(three.audio[0]);
    await expect(run(bundle, { ...settings, acousticOnly: true, semanticPlan: new Int32Array(3) })).rejects.toThrow(/exclude each other/);
    await expect(run(bundle, { ...settings, semanticPlan: new Int32Array(0) })).rejects.toThrow(/The semantic plan is empty/);
  });

  it('refuses a batch beyond the memory budget, saying how many fit', async () => {
    const manifest = await readManifest(tinyBundle);
    const huge = { ...manifest, stages: { ...manifest.stages, coarseLm: { ...manifest.stages.coarseLm, transformer: { ...manifest.stages.coarseLm.transformer, context: 400_000 } } } };
    expect(() => checkSettings(huge, { seconds: 10, variants: 8, seed: 1, sampling: manifest.sampling })).toThrow(/8 variants of 10 s with tiny-test need about \d+\.\d GB; at most \d+ fit in the 1\.5 GB budget/);
  });

  describe('through the engine process', () => {
    const engine = new EngineClient(nodeEngineLauncher(builtEngine));
    afterAll(() => engine.dispose());

    it('a cancelled job stops within a step and leaves no partial files', async () => {
      const out = join(dir, 'cancelled');
      const controller = new AbortController();
      const job = engine.call('continue', { prompt: fixture('speech-24k.wav'), outDir: out, seconds: 30, variants: 2, bundle: tinyBundle }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'coarse') controller.abort();
        },
      });
      await expect(job).rejects.toMatchObject({ code: 'job/cancelled' });
      expect(readdirSync(out)).toEqual([]);
    });

    it('an engine killed mid-job is reported and leaves no files; the next job runs', async () => {
      const out = join(dir, 'killed');
      const job = engine.call('continue', { prompt: fixture('speech-24k.wav'), outDir: out, seconds: 30, variants: 2, bundle: tinyBundle }, {
        onProgress: (p) => {
          if (p.stage === 'semantic') engine.kill();
        },
      });
      await expect(job).rejects.toMatchObject({ code: 'engine/crashed' });
      expect(readdirSync(out)).toEqual([]);
      const next = await engine.call('continue', { prompt: fixture('speech-24k.wav'), outDir: join(dir, 'after'), seconds: 1, variants: 1, bundle: tinyBundle, seed: 1 });
      expect(next.files).toHaveLength(1);
    });
  });
});
