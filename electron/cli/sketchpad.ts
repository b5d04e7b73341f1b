/**
 * The `sketchpad` command line: the same engine as the app, headless, in its own child process.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AudioInfo } from '../contract/audio';
import { wavEncodings } from '../contract/audio';
import { bundleDomains, describeSampling, keyRanking, samplingOverridesSchema, type SamplingOverrides } from '../contract/bundle';
import { firstSchemaIssue, SketchpadError } from '../contract/errors';
import type { Progress } from '../contract/progress';
import packageJson from '../../package.json' with { type: 'json' };
import { EngineClient } from '../host/engineClient';
import { nodeEngineLauncher } from '../host/engineChannel';

const engine = new EngineClient(nodeEngineLauncher());

function formatInfo(path: string, info: AudioInfo): string {
  const db = (x: number | null, unit: string): string => (x === null ? 'n/a (silent)' : `${x.toFixed(1)} ${unit}`);
  const lines = [
    path,
    `  format      ${info.format}`,
    `  sample rate ${info.sampleRate} Hz`,
    `  channels    ${info.channels}`,
    `  duration    ${info.durationSeconds.toFixed(3)} s (${info.frames} frames)`,
    `  peak        ${db(info.peakDb, 'dBFS')}`,
    `  loudness    ${db(info.loudnessLufs, 'LUFS')}`,
  ];
  for (const warning of info.warnings) lines.push(`  warning: ${warning}`);
  return lines.join('\n');
}

/** A one-line progress display on stderr, only where a person is watching. */
function progressPrinter(enabled: boolean): (progress: Progress) => void {
  return (progress) => {
    if (!enabled) return;
    const eta = progress.etaSeconds === null ? '' : `, ${Math.ceil(progress.etaSeconds)} s left`;
    process.stderr.write(`\r${progress.stage} ${(progress.fraction * 100).toFixed(0)}%${eta}   `);
  };
}

function parseRate(value: string): number {
  const rate = Number(value);
  if (!Number.isInteger(rate) || rate < 8000 || rate > 192000) throw new InvalidArgumentError('the rate must be a whole number of Hz between 8000 and 192000.');
  return rate;
}

function parseBits(value: string): (typeof wavEncodings)[number] {
  if (!(wavEncodings as readonly string[]).includes(value)) throw new InvalidArgumentError(`choose one of ${wavEncodings.join(', ')}.`);
  return value as (typeof wavEncodings)[number];
}

const program = new Command()
  .name('sketchpad')
  .description('Sketchpad: continue piano or speech clips with our own AudioLM-style models.')
  .version(packageJson.version)
  .showHelpAfterError();

program
  .command('info')
  .description('Show a clip\'s format, rate, channels, duration, peak and loudness.')
  .argument('<file>', 'an audio file (WAV, FLAC, MP3, OGG Vorbis, Opus)')
  .option('--json', 'print one JSON object')
  .action(async (file: string, options: { json?: boolean }) => {
    const info = await engine.call('audio.inspect', { path: resolve(file) });
    console.log(options.json ? JSON.stringify({ file, ...info }) : formatInfo(file, info));
  });

program
  .command('convert')
  .description('Decode any supported file and write it as WAV, optionally at another rate or depth.')
  .argument('<input>', 'an audio file')
  .requiredOption('--out <file>', 'the WAV file to write')
  .option('--rate <hz>', 'output sample rate, e.g. 44100 or 48000 (default: the input\'s)', parseRate)
  .option('--bits <depth>', `sample format: ${wavEncodings.join(', ')}`, parseBits, '16' as const)
  .option('--mono', 'fold all channels to one')
  .option('--json', 'print one JSON object')
  .action(async (input: string, options: { out: string; rate?: number; bits: (typeof wavEncodings)[number]; mono?: boolean; json?: boolean }) => {
    const result = await engine.call(
      'audio.convert',
      { input: resolve(input), output: resolve(options.out), sampleRate: options.rate, encoding: options.bits, mono: Boolean(options.mono) },
      { onProgress: progressPrinter(!options.json && process.stderr.isTTY) },
    );
    if (!options.json && process.stderr.isTTY) process.stderr.write('\n');
    console.log(options.json
      ? JSON.stringify(result)
      : `wrote ${options.out}: ${result.channels} channel(s), ${result.sampleRate} Hz, ${options.bits === '32f' ? '32-bit float' : `${options.bits}-bit`}, ${(result.frames / result.sampleRate).toFixed(3)} s`);
  });

function parseNumber(what: string, integer = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${what} must be ${integer ? 'a whole number' : 'a number'}.`);
    return n;
  };
}

function parseTemperatures(value: string): { semantic?: number; coarse?: number; fine?: number } {
  const parts = value.split(',').map((p) => (p.trim() === '' ? undefined : Number(p)));
  if (parts.length > 3 || parts.some((p) => p !== undefined && (!Number.isFinite(p) || p < 0 || p > 5))) {
    throw new InvalidArgumentError('give up to three temperatures from 0 to 5 as SEMANTIC,COARSE,FINE (e.g. 0.9,0.8,0.6; leave one empty to keep the bundle\'s).');
  }
  const [semantic, coarse, fine] = parts;
  return { semantic, coarse, fine };
}

function parseSamplingFile(path: string): SamplingOverrides {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(resolve(path), 'utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`--sampling ${path} could not be read as JSON (${(error as Error).message}).`);
  }
  const parsed = samplingOverridesSchema.safeParse(json);
  if (!parsed.success) {
    throw new InvalidArgumentError(`--sampling ${path}: ${firstSchemaIssue(parsed.error)}. Give e.g. {"coarse": {"temperature": 0.7, "topK": 50}}.`);
  }
  return parsed.data;
}

const candidatesHelp = `takes drawn per take kept, where the bundle has a key profile: the ones nearest the prompt in key (and pace, where the bundle says) are kept (default: the bundle's, else ${keyRanking.defaultCandidatesPerTake}; 1 keeps every take drawn)`;

const progress = (json?: boolean) => ({ onProgress: progressPrinter(!json && process.stderr.isTTY) });
const endProgressLine = (json?: boolean): void => {
  if (!json && process.stderr.isTTY) process.stderr.write('\n');
};

program
  .command('continue')
  .description('Continue a clip: writes DIR/variant-1.wav ... (the continuation only, the bundle\'s rate, mono 16-bit).')
  .argument('<prompt>', 'the clip to continue (its whole length is the prompt)')
  .requiredOption('--out <dir>', 'the folder for the variants')
  .option('--seconds <s>', 'length of each continuation', parseNumber('--seconds'), 8)
  .option('--variants <n>', 'how many continuations', parseNumber('--variants', true), 4)
  .option('--seed <n>', 'random seed: the same seed and settings give the same audio', parseNumber('--seed', true))
  .option('--bundle <name|path>', 'model bundle (default: the default for the domain)')
  .option('--temperature <s,c,f>', 'sampling temperature per stage', parseTemperatures)
  .addOption(new Option('--domain <domain>', 'what the prompt is (default: heard from the prompt, else general); a bundle for another domain is refused').choices(bundleDomains))
  .option('--candidates <n>', candidatesHelp, parseNumber('--candidates', true))
  .option('--json', 'print one JSON object')
  .action(async (prompt: string, o: { out: string; seconds: number; variants: number; seed?: number; bundle?: string; domain?: (typeof bundleDomains)[number]; temperature?: ReturnType<typeof parseTemperatures>; candidates?: number; json?: boolean }) => {
    const result = await engine.call('continue', {
      prompt: resolve(prompt), outDir: resolve(o.out), seconds: o.seconds, variants: o.variants, seed: o.seed, bundle: o.bundle, domain: o.domain, temperatures: o.temperature, candidatesPerTake: o.candidates,
    }, progress(o.json));
    endProgressLine(o.json);
    if (o.json) return console.log(JSON.stringify(result));
    console.log(`${result.variants} variant(s) of ${result.seconds} s with ${result.bundle} on ${result.provider} (seed ${result.seed}) in ${result.wallSeconds.toFixed(1)} s:`);
    for (const file of result.files) console.log(`  ${file}`);
  });

program
  .command('codec')
  .description('Encode and decode a clip through the bundle\'s codec (a listening test of its quality).')
  .argument('<input>', 'an audio file')
  .requiredOption('--out <file>', 'the WAV to write')
  .option('--bundle <name|path>', 'model bundle')
  .option('--json', 'print one JSON object')
  .action(async (input: string, o: { out: string; bundle?: string; json?: boolean }) => {
    const result = await engine.call('codec.roundTrip', { input: resolve(input), output: resolve(o.out), bundle: o.bundle }, progress(o.json));
    endProgressLine(o.json);
    console.log(o.json ? JSON.stringify(result) : `wrote ${o.out}: ${result.seconds.toFixed(2)} s through ${result.bundle} at ${result.kbps.toFixed(2)} kbps (${result.levels} levels)`);
  });

program
  .command('tokens')
  .description('Show a clip\'s semantic tokens and acoustic codes.')
  .argument('<input>', 'an audio file')
  .option('--bundle <name|path>', 'model bundle')
  .option('--json', 'print one JSON object')
  .action(async (input: string, o: { bundle?: string; json?: boolean }) => {
    const result = await engine.call('tokens.compute', { input: resolve(input), bundle: o.bundle });
    if (o.json) return console.log(JSON.stringify(result));
    console.log(`semantic (${result.semantic.length} at ${result.semanticRate} Hz): ${result.semantic.join(' ')}`);
    result.acoustic.forEach((codes, level) => console.log(`acoustic level ${level + 1} (${codes.length} at ${result.acousticRate} Hz): ${codes.join(' ')}`));
  });

program
  .command('bench')
  .description('Time a continuation per stage, with the KV cache on and off.')
  .option('--prompt-seconds <s>', 'prompt length', parseNumber('--prompt-seconds'), 4)
  .option('--seconds <s>', 'continuation length', parseNumber('--seconds'), 10)
  .option('--variants <n>', 'variants in the batch', parseNumber('--variants', true), 4)
  .option('--bundle <name|path>', 'model bundle')
  .option('--candidates <n>', candidatesHelp, parseNumber('--candidates', true))
  .option('--json', 'print one JSON object')
  .action(async (o: { promptSeconds: number; seconds: number; variants: number; bundle?: string; candidates?: number; json?: boolean }) => {
    const result = await engine.call('bench.run', { promptSeconds: o.promptSeconds, seconds: o.seconds, variants: o.variants, bundle: o.bundle, candidatesPerTake: o.candidates }, progress(o.json));
    endProgressLine(o.json);
    if (o.json) return console.log(JSON.stringify(result));
    console.log(`${result.bundle} on ${result.provider}: ${result.variants} x ${result.seconds} s from a ${result.promptSeconds} s prompt`);
    console.log('                 wall    tokenize  semantic  coarse   fine     decode   choose   x real time  peak RSS');
    for (const run of [result.cached, result.uncached]) {
      const t = run.timings;
      const cells = [t.tokenize, t.semantic, t.coarse, t.fine, t.decode, t.choose].map((x) => `${x.toFixed(2)} s`.padEnd(9)).join('');
      console.log(`  ${(run.useCache ? 'KV cache on' : 'KV cache off').padEnd(14)} ${`${run.wallSeconds.toFixed(2)} s`.padEnd(8)}${cells}${run.realTimeFactor.toFixed(2).padEnd(13)}${run.peakRssMb.toFixed(0)} MB`);
    }
    const s = result.cached.steps;
    if (result.cached.drawnTakes > result.variants) console.log(`  ${result.cached.drawnTakes} takes drawn, the ${result.variants} nearest the prompt kept`);
    console.log(`  steps: semantic ${s.semantic} (${(s.semantic / result.cached.timings.semantic).toFixed(0)}/s), coarse ${s.coarse} (${(s.coarse / result.cached.timings.coarse).toFixed(0)}/s), fine passes ${s.finePasses}, decoder chunks ${s.decodeChunks}`);
    console.log(`  the cache makes the run ${result.speedup.toFixed(2)}x faster`);
  });

const evaluate = program.command('eval').description('Measure a bundle: codec quality against Opus, continuation consistency against the truth.');
const table = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
};
const num = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? 'n/m' : x.toFixed(digits));

evaluate.command('codec')
  .description('Codec round trip vs Opus 6 and 12 kbps: log-mel L1 and SI-SDR per set (medians).')
  .option('--manifest <file>', 'a JSON manifest of clips')
  .option('--dir <folder>', 'or a folder of set folders (piano/, speech/) of clips')
  .option('--bundle <name|path>', 'model bundle')
  .option('--report <dir>', 'write an HTML report with spectrograms and players')
  .option('--json', 'print one JSON object')
  .action(async (o: { manifest?: string; dir?: string; bundle?: string; report?: string; json?: boolean }) => {
    const result = await engine.call('eval.codec', { manifest: o.manifest && resolve(o.manifest), dir: o.dir && resolve(o.dir), bundle: o.bundle, report: o.report && resolve(o.report) }, progress(o.json));
    endProgressLine(o.json);
    if (o.json) return console.log(JSON.stringify(result));
    console.log(`codec eval of ${result.bundle} at ${result.kbps.toFixed(2)} kbps (medians; n/m = not measured${result.opusMeasured ? '' : ': ffmpeg with libopus is missing'})`);
    console.log(table([['set', 'clips', 'L1 codec', 'L1 opus6', 'L1 opus12', 'SI-SDR codec', 'SI-SDR opus6', 'SI-SDR opus12', 'L1 / opus6', 'chunk seam'],
      ...result.summary.map((s) => [s.set, String(s.clips), num(s.codec.logMelL1, 3), num(s.opus6?.logMelL1, 3), num(s.opus12?.logMelL1, 3), num(s.codec.siSdr, 1), num(s.opus6?.siSdr, 1), num(s.opus12?.siSdr, 1), s.opus6 ? num(s.codec.logMelL1 / s.opus6.logMelL1) : 'n/m', num(s.chunkSeam)])]));
    for (const skip of result.skipped) console.log(`skipped ${skip.id}: ${skip.reason}`);
    if (result.report) console.log(`report: ${result.report}`);
  });

evaluate.command('continue')
  .description('Continuation consistency (truth = 1, other pieces = 0), copy fraction, seam jump, diversity; baselines: the truth and a loop of the prompt.')
  .option('--manifest <file>', 'a JSON manifest of cases (prompt + truth)')
  .option('--dir <folder>', 'or a folder of set folders holding ID.prompt.wav and ID.truth.wav')
  .option('--bundle <name|path>', 'model bundle')
  .option('--variants <n>', 'continuations per case', parseNumber('--variants', true), 4)
  .option('--seconds <s>', 'continuation length', parseNumber('--seconds'), 8)
  .option('--ablation', 'also run the acoustic-only chain (no semantic stage)')
  .option('--semantic-oracle', 'also run the acoustic stages on the truth\'s own semantic tokens (what a perfect semantic LM would give)')
  .option('--seed <n>', 'the first case\'s random seed (case i uses n + i): another seed, another draw of the same settings', parseNumber('--seed', true), 1)
  .option('--sampling <file>', 'a JSON file of sampling settings over the bundle\'s, per stage, e.g. {"coarse": {"temperature": 0.7}}', parseSamplingFile)
  .option('--candidates <n>', candidatesHelp, parseNumber('--candidates', true))
  .option('--report <dir>', 'write an HTML report with spectrograms and players')
  .option('--json', 'print one JSON object')
  .action(async (o: { manifest?: string; dir?: string; bundle?: string; variants: number; seconds: number; ablation?: boolean; semanticOracle?: boolean; seed: number; sampling?: SamplingOverrides; candidates?: number; report?: string; json?: boolean }) => {
    const result = await engine.call('eval.continue', { manifest: o.manifest && resolve(o.manifest), dir: o.dir && resolve(o.dir), bundle: o.bundle, variants: o.variants, seconds: o.seconds, ablation: Boolean(o.ablation), semanticOracle: Boolean(o.semanticOracle), seed: o.seed, sampling: o.sampling, candidatesPerTake: o.candidates, report: o.report && resolve(o.report) }, progress(o.json));
    endProgressLine(o.json);
    if (o.json) return console.log(JSON.stringify(result));
    console.log(`continuation eval of ${result.bundle}: ${result.variants} variants x ${result.seconds} s per case (scores per set over the cases' summed distances; copy, seam and onsets medians; n/m = not measured)`);
    console.log(`sampling: ${describeSampling(result.sampling)}`);
    const rows = [['set', 'candidate', 'key', 'timbre', 'loudness', 'rhythm', 'pitch', 'copy', 'seam', 'onsets/s', 'diversity']];
    for (const s of result.summary) {
      const candidates = [['model', s.model], ...(s.acousticOnly ? [['acoustic-only', s.acousticOnly] as const] : []), ...(s.semanticOracle ? [['semantic-oracle', s.semanticOracle] as const] : []), ['loop', s.loop], ['truth', s.truth], ['truth-via-codec', s.codecTruth]] as const;
      for (const [name, m] of candidates) {
        rows.push([s.set, name, num(m.scores.key), num(m.scores.timbre), num(m.scores.loudness), num(m.scores.rhythm), num(m.scores.pitch), num(m.copyFraction), num(m.seamJump, 1), num(m.onsetRate, 1), name === 'model' ? num(s.diversity) : '']);
      }
    }
    console.log(table(rows));
    console.log(`prompts' onsets a second: ${result.summary.map((s) => `${s.set} ${num(s.promptOnsetRate, 1)}`).join(', ')}`);
    for (const skip of result.skipped) console.log(`skipped ${skip.id}: ${skip.reason}`);
    for (const note of result.notes) console.log(`note: ${note}`);
    if (result.report) console.log(`report: ${result.report}`);
  });

const models = program.command('models').description('List, verify, import and remove model bundles.');
models.command('list').option('--json', 'print JSON').action(async (o: { json?: boolean }) => {
  const list = await engine.call('models.list', {});
  if (o.json) return console.log(JSON.stringify(list));
  if (!list.length) return console.log('No model bundles installed. Import one with: sketchpad models import FOLDER|ZIP');
  for (const b of list) console.log(`${b.isDefault ? '*' : ' '} ${b.name.padEnd(20)} ${b.domain.padEnd(8)} ${b.source.padEnd(8)} ${b.title}\n    ${b.path}`);
});
models.command('verify').argument('[bundle]', 'name or folder (default: the default bundle)').action(async (bundle?: string) => {
  const result = await engine.call('models.verify', { bundle });
  console.log(`${result.name}: valid (${result.files} models, hashes and signatures checked), runs on ${result.provider}`);
});
models.command('import').argument('<source>', 'a bundle folder or a zip of one').action(async (source: string) => {
  const result = await engine.call('models.import', { source });
  console.log(`imported ${result.name} to ${result.path}`);
});
models.command('remove').argument('<name>').action(async (name: string) => {
  await engine.call('models.remove', { name });
  console.log(`removed ${name}`);
});
models.command('default').argument('<name>').description('Make a bundle the default for its domain').action(async (name: string) => {
  await engine.call('models.setDefault', { name });
  console.log(`${name} is now the default bundle for its domain`);
});

try {
  await program.parseAsync(process.argv);
  engine.dispose();
} catch (error) {
  engine.dispose();
  const message = error instanceof SketchpadError ? error.message : `unexpected error: ${(error as Error).message}`;
  console.error(`sketchpad: ${message}`);
  process.exitCode = error instanceof SketchpadError && error.code === 'request/invalid' ? 2 : 1;
}
