/**
 * The `sketchpad` command line: the same engine as the app, headless, in its own child process.
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { AudioInfo } from '../contract/audio';
import { wavEncodings } from '../contract/audio';
import { SketchpadError } from '../contract/errors';
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

try {
  await program.parseAsync(process.argv);
  engine.dispose();
} catch (error) {
  engine.dispose();
  const message = error instanceof SketchpadError ? error.message : `unexpected error: ${(error as Error).message}`;
  console.error(`sketchpad: ${message}`);
  process.exitCode = error instanceof SketchpadError && error.code === 'request/invalid' ? 2 : 1;
}
