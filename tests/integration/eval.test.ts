import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CodecEvalResult, ContinueEvalResult } from '../../electron/contract/eval';
import { tinyBundle } from '../fixtures/bundles';
import { cliBin, fixture, repoRoot, scratchDir } from '../fixtures/paths';

function sketchpad(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const run = spawnSync(process.execPath, [cliBin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 300_000, env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Each score is (other pieces - candidate) / (other pieces - truth) over the distances the result reports. */
function scoresFollowDistances(c: ContinueEvalResult['cases'][number]): void {
  for (const candidate of [c.model, c.loop, c.codecTruth]) {
    for (const name of ['key', 'timbre', 'rhythm'] as const) {
      const [mine, own, other] = [candidate.distances[name]!, c.truth.distances[name]!, c.otherPieces[name]!];
      expect(candidate.scores[name]).toBeCloseTo((other - mine) / (other - own), 6);
    }
  }
  // The rhythm distance is the gap in onset rates the result reports.
  expect(c.codecTruth.distances.rhythm).toBeCloseTo(Math.abs(c.promptOnsetRate - c.codecTruth.onsetRate), 9);
}

/** A set's score normalises the summed distances of its cases, not a median of their scores. */
function summaryScoresSumDistances(result: ContinueEvalResult): void {
  for (const s of result.summary) {
    const cases = result.cases.filter((c) => c.set === s.set);
    const sum = (pick: (c: (typeof cases)[number]) => number) => cases.reduce((total, c) => total + pick(c), 0);
    const [mine, own, other] = [sum((c) => c.model.distances.key!), sum((c) => c.truth.distances.key!), sum((c) => c.otherPieces.key!)];
    expect(s.model.scores.key).toBeCloseTo((other - mine) / (other - own), 6);
    expect(s.model.distances.key).toBeCloseTo(mine / cases.length, 9);
    expect(s.truth.scores.key).toBeCloseTo(1, 9);
    expect(s.model.medianCaseScores.key).not.toBeNull();
  }
}

describe('sketchpad eval', () => {
  const dir = scratchDir('eval');
  const codecDir = join(dir, 'codec');
  const continueDir = join(dir, 'continue');

  beforeAll(() => {
    mkdirSync(join(codecDir, 'piano'), { recursive: true });
    mkdirSync(join(codecDir, 'speech'), { recursive: true });
    copyFileSync(fixture('chord.flac'), join(codecDir, 'piano', 'chord.flac'));
    copyFileSync(fixture('speech.ogg'), join(codecDir, 'speech', 'speech.ogg'));
    const sox = (...args: string[]) => execFileSync('sox', args);
    for (const [set, cases] of [['piano', [['c-major', 'C4', 'E4'], ['a-minor', 'A3', 'C4']]], ['speech', [['one', 'first'], ['two', 'second']]]] as const) {
      mkdirSync(join(continueDir, set), { recursive: true });
      for (const c of cases) {
        const base = join(continueDir, set, c[0]);
        if (set === 'piano') {
          sox('-n', '-r', '24000', '-b', '16', `${base}.prompt.wav`, 'synth', '2', 'pluck', c[1]!, 'pluck', c[2]!, 'remix', '-', 'norm', '-6');
          sox('-n', '-r', '24000', '-b', '16', `${base}.truth.wav`, 'synth', '3', 'pluck', c[2]!, 'pluck', c[1]!, 'remix', '-', 'norm', '-6');
        } else {
          execFileSync('espeak-ng', ['-v', 'en-us', '-w', `${base}.prompt.wav`, `This is the ${c[1]} prompt of the evaluation, spoken slowly.`]);
          execFileSync('espeak-ng', ['-v', 'en-us', '-w', `${base}.truth.wav`, `And here the ${c[1]} continuation goes on for a little while longer.`]);
        }
      }
    }
    // A case too short to measure, and a prompt/truth pair at different rates.
    sox('-n', '-r', '24000', '-b', '16', join(continueDir, 'piano', 'tiny.prompt.wav'), 'synth', '0.3', 'pluck', 'C4');
    sox('-n', '-r', '24000', '-b', '16', join(continueDir, 'piano', 'tiny.truth.wav'), 'synth', '3', 'pluck', 'C4');
    sox('-n', '-r', '44100', '-b', '16', join(continueDir, 'piano', 'rates.prompt.wav'), 'synth', '2', 'pluck', 'G3', 'norm', '-6');
    sox('-n', '-r', '48000', '-b', '16', join(continueDir, 'piano', 'rates.truth.wav'), 'synth', '3', 'pluck', 'D4', 'norm', '-6');
  });

  it('codec: a table per set with Opus at 6 and 12 kbps, and an HTML report', () => {
    const report = join(dir, 'codec-report');
    const run = sketchpad(['eval', 'codec', '--dir', codecDir, '--bundle', tinyBundle, '--report', report, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as CodecEvalResult;
    expect(result.summary.map((s) => s.set)).toEqual(['piano', 'speech']);
    expect(result.opusMeasured).toBe(true);
    for (const s of result.summary) {
      expect(s.opus12!.logMelL1).toBeLessThan(s.opus6!.logMelL1);
      expect(s.codec.logMelL1).toBeGreaterThan(0);
    }
    const html = readFileSync(join(report, 'index.html'), 'utf8');
    expect(html).toMatch(/Codec eval: tiny-test/);
    for (const src of html.matchAll(/src="([^"]+)"/g)) expect(existsSync(join(report, src[1]!))).toBe(true);
  });

  it('codec: without ffmpeg the Opus columns are marked not measured, not zero', () => {
    const run = sketchpad(['eval', 'codec', '--dir', codecDir, '--bundle', tinyBundle], { ...process.env, SKETCHPAD_FFMPEG: '/nonexistent/ffmpeg' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/n\/m = not measured: ffmpeg with libopus is missing/);
    expect(run.stdout).toMatch(/piano\s+1\s+\d+\.\d+\s+n\/m\s+n\/m/);
  });

  it('codec: a manifest with a missing file measures the rest and says what it skipped', () => {
    const manifest = join(dir, 'codec.json');
    writeFileSync(manifest, JSON.stringify({ clips: [{ id: 'there', set: 'piano', path: 'codec/piano/chord.flac' }, { id: 'gone', set: 'piano', path: 'codec/piano/gone.wav' }] }));
    const result = JSON.parse(sketchpad(['eval', 'codec', '--manifest', manifest, '--bundle', tinyBundle, '--json']).stdout) as CodecEvalResult;
    expect(result.rows.map((r) => r.id)).toEqual(['there']);
    expect(result.skipped).toEqual([{ id: 'gone', reason: expect.stringMatching(/No file at .*gone\.wav/) }]);
  });

  it('refuses a manifest that is not valid JSON with a specific message', () => {
    const manifest = join(dir, 'broken.json');
    writeFileSync(manifest, '{ "clips": [');
    const run = sketchpad(['eval', 'codec', '--manifest', manifest, '--bundle', tinyBundle]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/The manifest .*broken\.json is not valid JSON/);
  });

  it('continue: scores against the truth and a loop of the prompt, with skips, notes and a report', () => {
    const report = join(dir, 'continue-report');
    const sampling = join(dir, 'sampling.json');
    writeFileSync(sampling, JSON.stringify({ coarse: { temperature: 0.7, topK: 40 }, fine: { temperature: 0 } }));
    const run = sketchpad(['eval', 'continue', '--dir', continueDir, '--bundle', tinyBundle, '--variants', '2', '--seconds', '2', '--ablation', '--semantic-oracle', '--sampling', sampling, '--report', report, '--json']);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as ContinueEvalResult;
    const bundleSampling = (JSON.parse(readFileSync(join(tinyBundle, 'bundle.json'), 'utf8')) as { sampling: ContinueEvalResult['sampling'] }).sampling;
    expect(result.sampling).toEqual({ semantic: bundleSampling.semantic, coarse: { ...bundleSampling.coarse, temperature: 0.7, topK: 40 }, fine: { ...bundleSampling.fine, temperature: 0 } });
    expect(result.cases.map((c) => c.id).sort()).toEqual(['piano/a-minor', 'piano/c-major', 'piano/rates', 'speech/one', 'speech/two']);
    expect(result.skipped).toEqual([{ id: 'piano/tiny', reason: expect.stringMatching(/too short for the measures: prompt 0\.3 s \(needs 1\)/) }]);
    expect(result.notes.join(' ')).toMatch(/piano\/rates: the prompt is at 44100 Hz and the truth at 48000 Hz/);
    expect(result.summary.every((s) => s.acousticOnly !== null && s.semanticOracle !== null)).toBe(true);
    for (const c of result.cases) {
      expect(c.acousticOnly).not.toBeNull();
      expect(c.semanticOracle).not.toBeNull();
      expect(c.truth.scores.key).toBeCloseTo(1, 6);
      expect(c.truth.scores.timbre).toBeCloseTo(1, 6);
      // The tiny bundle's codec is untrained: its round trip of the truth must differ from the truth.
      expect(c.codecTruth.scores.timbre).not.toBeCloseTo(1, 2);
      // Plucks decay into silence, and silent frames copy nothing: a loop of them scores below a dense loop's ~0.99.
      expect(c.loop.copyFraction).toBeGreaterThan(0.5);
      expect(c.diversity).toBeGreaterThan(0);
    }
    for (const c of result.cases) scoresFollowDistances(c);
    summaryScoresSumDistances(result);
    const html = readFileSync(join(report, 'index.html'), 'utf8');
    expect(html).toMatch(/sampling semantic t1 k0 p1 r1; coarse t0.7 k40 p1 r1; fine t0 k0 p1 r1/);
    expect(html).toMatch(/prompt \+ variant 1 \(the white line is the seam\)/);
    expect(html).toMatch(/acoustic only \(no semantic stage\)/);
    expect(html).toMatch(/on the truth's semantic tokens \(semantic oracle\)/);
    expect(html).toMatch(/true continuation through the codec \(the chain's ceiling\)/);
    expect(html.match(/onsets a second: prompt \d+\.\d, variants \d+\.\d, truth \d+\.\d, truth through the codec \d+\.\d/g)?.length).toBe(result.cases.length);
    // Piano cases list the notes either side of the seam; speech cases do not.
    expect(html.match(/Notes found/g)?.length).toBe(result.cases.filter((c) => c.set === 'piano').length);
    expect(html).toMatch(/last 2 s of the prompt [A-G]#?\d/);
    for (const src of html.matchAll(/src="([^"]+)"/g)) expect(existsSync(join(report, src[1]!))).toBe(true);
    // The whole chain three ways (takes, ablation, oracle) through the CLI: 34 s alone on 2 cores, over
    // the default 60 s when a training job shares them; the CLI's own 300 s limit bounds it.
  }, 300_000);

  it('continue: refuses sampling settings it cannot use, naming the field', () => {
    const bad = join(dir, 'bad-sampling.json');
    writeFileSync(bad, JSON.stringify({ coarse: { temprature: 0.7 } }));
    const typo = sketchpad(['eval', 'continue', '--dir', continueDir, '--bundle', tinyBundle, '--sampling', bad]);
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toMatch(/--sampling .*bad-sampling\.json: coarse: Unrecognized key.*temprature/);
    writeFileSync(bad, JSON.stringify({ fine: { topP: 0 } }));
    expect(sketchpad(['eval', 'continue', '--dir', continueDir, '--bundle', tinyBundle, '--sampling', bad]).stderr).toMatch(/fine\.topP: /);
    expect(sketchpad(['eval', 'continue', '--dir', continueDir, '--bundle', tinyBundle, '--sampling', join(dir, 'missing.json')]).stderr).toMatch(/could not be read as JSON/);
  });
});
