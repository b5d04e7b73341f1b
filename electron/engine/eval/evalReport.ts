import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeSampling } from '../../contract/bundle';
import { measureNames, type CandidateMeasures, type CodecEvalResult, type CodecQuality, type ContinueEvalResult, type Scores, type SummaryCandidate } from '../../contract/eval';
import { setScore } from './measures';
import { encodeWav } from '../audio/wavWriter';
import { meanOfPresent, median } from '../statistics';
import { toAnalysisRate } from '../audio/spectral';
import { spectrogramPng } from './spectrogramImage';
import { findNotes, notesBetween } from './transcribe';

const medianOrNull = (values: (number | null | undefined)[]): number | null => {
  const present = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return present.length ? median(present) : null;
};

export function codecMedians(rows: CodecEvalResult['rows']): CodecEvalResult['summary'] {
  return [...new Set(rows.map((r) => r.set))].map((set) => {
    const mine = rows.filter((r) => r.set === set);
    const of = (pick: (r: (typeof rows)[number]) => CodecQuality | null): CodecQuality | null => {
      const present = mine.map(pick).filter((q): q is CodecQuality => q !== null);
      return present.length ? { logMelL1: median(present.map((q) => q.logMelL1)), siSdr: median(present.map((q) => q.siSdr)) } : null;
    };
    return { set, clips: mine.length, codec: of((r) => r.codec)!, opus6: of((r) => r.opus6), opus12: of((r) => r.opus12), chunkSeam: medianOrNull(mine.map((r) => r.chunkSeam)) };
  });
}

/** Many candidate rows as one: every score, distance and measure folded alike (e.g. a mean over variants). */
function foldCandidates(list: CandidateMeasures[], fold: (values: (number | null)[]) => number | null): CandidateMeasures {
  const perMeasure = (pick: (m: CandidateMeasures) => Scores): Scores => Object.fromEntries(measureNames.map((n) => [n, fold(list.map((m) => pick(m)[n]))])) as Scores;
  const folded = (key: 'copyFraction' | 'seamJump' | 'onsetRate'): number => fold(list.map((m) => m[key])) ?? 0;
  return { scores: perMeasure((m) => m.scores), distances: perMeasure((m) => m.distances), copyFraction: folded('copyFraction'), seamJump: folded('seamJump'), onsetRate: folded('onsetRate') };
}

/** Variants of one case as one row: the mean of each score, distance and measure. */
export const meanCandidate = (list: CandidateMeasures[]): CandidateMeasures => foldCandidates(list, meanOfPresent);

type CaseRow = ContinueEvalResult['cases'][number];

/** One candidate over a set's cases: scores normalised set-wide (measures.ts `setScore`), distances averaged, the rest medians. */
function summaryCandidate(cases: CaseRow[], pick: (c: CaseRow) => CandidateMeasures): SummaryCandidate {
  const list = cases.map(pick);
  const medians = foldCandidates(list, medianOrNull);
  const scores = Object.fromEntries(measureNames.map((n) => [n, setScore(cases.map((c) => ({ distance: pick(c).distances[n], trueDistance: c.truth.distances[n], otherDistance: c.otherPieces[n] })))])) as Scores;
  return { ...medians, scores, distances: meanCandidate(list).distances, medianCaseScores: medians.scores };
}

export function continueSummary(rows: ContinueEvalResult['cases']): ContinueEvalResult['summary'] {
  return [...new Set(rows.map((r) => r.set))].map((set) => {
    const mine = rows.filter((r) => r.set === set);
    return {
      set,
      cases: mine.length,
      promptOnsetRate: medianOrNull(mine.map((r) => r.promptOnsetRate)) ?? 0,
      model: summaryCandidate(mine, (r) => r.model),
      acousticOnly: mine.every((r) => r.acousticOnly) ? summaryCandidate(mine, (r) => r.acousticOnly!) : null,
      semanticOracle: mine.every((r) => r.semanticOracle) ? summaryCandidate(mine, (r) => r.semanticOracle!) : null,
      loop: summaryCandidate(mine, (r) => r.loop),
      truth: summaryCandidate(mine, (r) => r.truth),
      codecTruth: summaryCandidate(mine, (r) => r.codecTruth),
      diversity: medianOrNull(mine.map((r) => r.diversity)),
    };
  });
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmt = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined ? '<span class="na">not measured</span>' : x.toFixed(digits));
const slug = (id: string): string => id.replace(/[^\w-]+/g, '_');

/** A horizontal bar chart as inline SVG: one group per label, one bar per series; `mark` draws a dashed guide. */
function barChart(title: string, groups: { label: string; values: (number | null)[] }[], series: string[], range: [number, number], mark?: number): string {
  const colours = ['#3a6fd8', '#b7791f', '#2f9e5b', '#c62f2f', '#7b4fb8'];
  const barHeight = 12;
  const groupHeight = series.length * barHeight + 10;
  const width = 560, left = 90, plot = width - left - 20;
  const x = (v: number) => left + ((Math.min(range[1], Math.max(range[0], v)) - range[0]) / (range[1] - range[0])) * plot;
  const rows = groups.map((g, gi) => {
    const y0 = 38 + gi * groupHeight;
    const bars = g.values.map((v, si) => v === null
      ? `<text x="${left + 4}" y="${y0 + si * barHeight + 10}" class="na">${escape(series[si]!)}: not measured</text>`
      : `<rect x="${x(Math.min(0, v))}" y="${y0 + si * barHeight}" width="${Math.max(1, Math.abs(x(v) - x(0)))}" height="${barHeight - 2}" fill="${colours[si % colours.length]}"><title>${escape(series[si]!)}: ${v.toFixed(2)}</title></rect>`).join('');
    return `<text x="0" y="${y0 + groupHeight / 2}" class="label">${escape(g.label)}</text>${bars}`;
  }).join('');
  const bottom = 38 + groups.length * groupHeight;
  const zero = range[0] < 0 ? `<line x1="${x(0)}" x2="${x(0)}" y1="32" y2="${bottom}" stroke="#888"/>` : '';
  const guide = mark === undefined ? '' : `<line x1="${x(mark)}" x2="${x(mark)}" y1="32" y2="${bottom}" stroke="#888" stroke-dasharray="3,3"/>`;
  const legend = series.map((s, i) => `<tspan fill="${colours[i % colours.length]}">■ ${escape(s)}</tspan>`).join('  ');
  return `<svg class="chart" width="${width}" height="${bottom + 6}" role="img" aria-label="${escape(title)}"><text x="0" y="12" class="title">${escape(title)}</text><text x="0" y="28" class="legend">${legend}</text>${zero}${guide}${rows}</svg>`;
}

const page = (title: string, body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;max-width:1200px;color:#1d1d1f}
h1{font-size:22px}h2{font-size:18px;margin-top:32px}table{border-collapse:collapse;margin:8px 0}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
.na{color:#999;font-style:italic}.good{background:#e6f4ea}.bad{background:#fdecea}.chart text{font-size:11px}.chart .title{font-weight:600}
.case{margin:16px 0;padding:8px;border:1px solid #eee}.case img{display:block;max-width:100%;image-rendering:pixelated;border:1px solid #ccc}
audio{height:28px;vertical-align:middle}.note{color:#555}
</style></head><body><h1>${escape(title)}</h1>${body}</body></html>
`;

async function writeAudio(dir: string, name: string, audio: Float32Array, rate: number): Promise<string> {
  await writeFile(join(dir, 'audio', name), encodeWav([audio], rate, '16'));
  return `audio/${name}`;
}

export interface CodecListening { id: string; original: Float32Array; codec: Float32Array; opus6: { audio: Float32Array; sampleRate: number } | null }

export async function writeCodecReport(dir: string, result: CodecEvalResult, clips: CodecListening[], rate: number): Promise<string> {
  const out = resolve(dir);
  await mkdir(join(out, 'audio'), { recursive: true });
  await mkdir(join(out, 'img'), { recursive: true });
  const summary = result.summary.map((s) => {
    const better = (a: number, b: number | undefined, lower: boolean) => (b === undefined ? '' : (lower ? a < b : a > b) ? 'good' : 'bad');
    return `<tr><td>${escape(s.set)}</td><td>${s.clips}</td><td class="${better(s.codec.logMelL1, s.opus6?.logMelL1, true)}">${fmt(s.codec.logMelL1, 3)}</td><td>${fmt(s.opus6?.logMelL1, 3)}</td><td>${fmt(s.opus12?.logMelL1, 3)}</td>
      <td class="${better(s.codec.siSdr, s.opus6?.siSdr, false)}">${fmt(s.codec.siSdr, 1)}</td><td>${fmt(s.opus6?.siSdr, 1)}</td><td>${fmt(s.opus12?.siSdr, 1)}</td>
      <td>${s.opus6 ? fmt(s.codec.logMelL1 / s.opus6.logMelL1, 2) : fmt(null)}</td><td>${fmt(s.chunkSeam, 2)}</td></tr>`;
  }).join('');
  const charts = barChart('log-mel L1 (lower is better)', result.summary.map((s) => ({ label: s.set, values: [s.codec.logMelL1, s.opus6?.logMelL1 ?? null, s.opus12?.logMelL1 ?? null] })), [`${result.bundle} ${result.kbps.toFixed(1)} kbps`, 'Opus 6 kbps', 'Opus 12 kbps'], [0, Math.max(1.5, ...result.summary.map((s) => s.codec.logMelL1))])
    + barChart('SI-SDR dB (higher is better)', result.summary.map((s) => ({ label: s.set, values: [s.codec.siSdr, s.opus6?.siSdr ?? null, s.opus12?.siSdr ?? null] })), [`${result.bundle}`, 'Opus 6 kbps', 'Opus 12 kbps'], [Math.min(-10, ...result.summary.map((s) => s.codec.siSdr)), 20]);
  const listening: string[] = [];
  for (const clip of clips) {
    const name = slug(clip.id);
    const [original16k, codec16k] = [await toAnalysisRate(clip.original, rate), await toAnalysisRate(clip.codec, rate)];
    await writeFile(join(out, 'img', `${name}-original.png`), spectrogramPng(original16k));
    await writeFile(join(out, 'img', `${name}-codec.png`), spectrogramPng(codec16k));
    const players = [`original <audio controls preload="none" src="${await writeAudio(out, `${name}-original.wav`, clip.original, rate)}"></audio>`,
      `codec <audio controls preload="none" src="${await writeAudio(out, `${name}-codec.wav`, clip.codec, rate)}"></audio>`];
    if (clip.opus6) players.push(`Opus 6 kbps <audio controls preload="none" src="${await writeAudio(out, `${name}-opus6.wav`, clip.opus6.audio, clip.opus6.sampleRate)}"></audio>`);
    const row = result.rows.find((r) => r.id === clip.id)!;
    listening.push(`<div class="case"><b>${escape(clip.id)}</b> — codec log-mel L1 ${fmt(row.codec.logMelL1, 3)}, SI-SDR ${fmt(row.codec.siSdr, 1)} dB; Opus 6: ${fmt(row.opus6?.logMelL1, 3)} / ${fmt(row.opus6?.siSdr, 1)} dB<br>${players.join(' ')}
      <p>original</p><img src="img/${name}-original.png" alt="spectrogram of the original"><p>codec</p><img src="img/${name}-codec.png" alt="spectrogram after the codec"></div>`);
  }
  const skipped = result.skipped.length ? `<h2>Skipped</h2><ul>${result.skipped.map((s) => `<li>${escape(s.id)}: ${escape(s.reason)}</li>`).join('')}</ul>` : '';
  const opusNote = result.opusMeasured ? '' : '<p class="note">ffmpeg with libopus is not on this machine: the Opus columns are not measured.</p>';
  const body = `<p>Bundle <b>${escape(result.bundle)}</b> at ${result.kbps.toFixed(2)} kbps. Medians per set; log-mel L1 over 80 mel bands at 16 kHz, SI-SDR after removing the codec's delay; chunk seam: spectral flux at the decoder's chunk borders over the original's there (1 adds nothing). Green: better than Opus 6 kbps.</p>${opusNote}
    <table><tr><th>set</th><th>clips</th><th>codec L1</th><th>Opus 6 L1</th><th>Opus 12 L1</th><th>codec SI-SDR</th><th>Opus 6 SI-SDR</th><th>Opus 12 SI-SDR</th><th>L1 ratio to Opus 6</th><th>chunk seam</th></tr>${summary}</table>
    ${charts}${skipped}<h2>Listen</h2>${listening.join('')}`;
  await writeFile(join(out, 'index.html'), page(`Codec eval: ${result.bundle}`, body));
  return join(out, 'index.html');
}

/** For piano: the notes the note finder hears in the 2 s before the seam and in the 2 s after it. */
function notesAcrossSeam(joined16k: Float32Array, truthJoined16k: Float32Array, seam: number): string {
  const model = findNotes(joined16k);
  const truth = findNotes(truthJoined16k);
  const list = (text: string) => (text ? escape(text) : '<span class="na">none found</span>');
  return `<p class="notes">Notes found (<code>eval/transcribe.ts</code>): last 2 s of the prompt ${list(notesBetween(model, seam - 2, seam))}; first 2 s of variant 1 ${list(notesBetween(model, seam, seam + 2))}; first 2 s of the truth ${list(notesBetween(truth, seam, seam + 2))}</p>`;
}

export interface CaseAudio { id: string; prompt: Float32Array; truth: Float32Array; loop: Float32Array; variant: Float32Array }

export async function writeContinueReport(dir: string, result: ContinueEvalResult, cases: CaseAudio[], rate: number): Promise<string> {
  const out = resolve(dir);
  await mkdir(join(out, 'audio'), { recursive: true });
  await mkdir(join(out, 'img'), { recursive: true });
  const scoreCells = (m: CandidateMeasures) => measureNames.map((n) => `<td>${fmt(m.scores[n])}</td>`).join('') + `<td>${fmt(m.copyFraction)}</td><td>${fmt(m.seamJump, 1)}</td><td>${fmt(m.onsetRate, 1)}</td>`;
  const header = `<tr><th>set / candidate</th>${measureNames.map((n) => `<th>${n}</th>`).join('')}<th>copy fraction</th><th>seam jump</th><th>onsets a second</th></tr>`;
  const summary = result.summary.map((s) => `<tr><th colspan="9" style="text-align:left">${escape(s.set)} (${s.cases} cases, diversity ${fmt(s.diversity)}, prompts' onsets a second ${fmt(s.promptOnsetRate, 1)})</th></tr>
    <tr><td>model</td>${scoreCells(s.model)}</tr>${s.acousticOnly ? `<tr><td>acoustic only (no semantic stage)</td>${scoreCells(s.acousticOnly)}</tr>` : ''}${s.semanticOracle ? `<tr><td>on the truth's semantic tokens (semantic oracle)</td>${scoreCells(s.semanticOracle)}</tr>` : ''}<tr><td>loop of the prompt</td>${scoreCells(s.loop)}</tr><tr><td>true continuation</td>${scoreCells(s.truth)}</tr><tr><td>true continuation through the codec (the chain's ceiling)</td>${scoreCells(s.codecTruth)}</tr>`).join('');
  const charts = result.summary.map((s) => {
    const candidates: [string, CandidateMeasures][] = [['model', s.model], ...(s.acousticOnly ? [['acoustic only', s.acousticOnly] as [string, CandidateMeasures]] : []), ...(s.semanticOracle ? [['semantic oracle', s.semanticOracle] as [string, CandidateMeasures]] : []), ['loop', s.loop], ['truth', s.truth], ['truth via codec', s.codecTruth]];
    const names = candidates.map(([name]) => name);
    return barChart(`${s.set}: consistency scores (truth = 1, other pieces = 0)`, measureNames.map((n) => ({ label: n, values: candidates.map(([, m]) => m.scores[n]) })), names, [-1, 1.5], 1)
      + barChart(`${s.set}: copy fraction (goal <= 0.10)`, [{ label: 'copy', values: candidates.map(([, m]) => m.copyFraction) }], names, [0, 1], 0.1);
  }).join('');
  const listening: string[] = [];
  for (const c of cases) {
    const name = slug(c.id);
    const joined = new Float32Array(c.prompt.length + c.variant.length);
    joined.set(c.prompt);
    joined.set(c.variant, c.prompt.length);
    const truthJoined = new Float32Array(c.prompt.length + c.truth.length);
    truthJoined.set(c.prompt);
    truthJoined.set(c.truth, c.prompt.length);
    const seam = c.prompt.length / rate;
    const joined16k = await toAnalysisRate(joined, rate);
    const truthJoined16k = await toAnalysisRate(truthJoined, rate);
    await writeFile(join(out, 'img', `${name}-model.png`), spectrogramPng(joined16k, seam));
    await writeFile(join(out, 'img', `${name}-truth.png`), spectrogramPng(truthJoined16k, seam));
    const row = result.cases.find((r) => r.id === c.id)!;
    const notes = /piano/i.test(row.set) ? notesAcrossSeam(joined16k, truthJoined16k, seam) : '';
    listening.push(`<div class="case"><b>${escape(c.id)}</b> — model: ${measureNames.map((n) => `${n} ${fmt(row.model.scores[n])}`).join(', ')}, copy ${fmt(row.model.copyFraction)}, seam ${fmt(row.model.seamJump, 1)} (prompt's own transients ${fmt(row.promptTransient, 1)}), diversity ${fmt(row.diversity)}<br>
      onsets a second: prompt ${fmt(row.promptOnsetRate, 1)}, variants ${fmt(row.model.onsetRate, 1)}, truth ${fmt(row.truth.onsetRate, 1)}, truth through the codec ${fmt(row.codecTruth.onsetRate, 1)}<br>
      prompt + variant 1 <audio controls preload="none" src="${await writeAudio(out, `${name}-model.wav`, joined, rate)}"></audio>
      prompt + truth <audio controls preload="none" src="${await writeAudio(out, `${name}-truth.wav`, truthJoined, rate)}"></audio>
      loop <audio controls preload="none" src="${await writeAudio(out, `${name}-loop.wav`, c.loop, rate)}"></audio>
      ${notes}<p>prompt + variant 1 (the white line is the seam)</p><img src="img/${name}-model.png" alt="spectrogram of prompt and continuation"><p>prompt + true continuation</p><img src="img/${name}-truth.png" alt="spectrogram of prompt and truth"></div>`);
  }
  const skipped = result.skipped.length ? `<h2>Skipped</h2><ul>${result.skipped.map((s) => `<li>${escape(s.id)}: ${escape(s.reason)}</li>`).join('')}</ul>` : '';
  const notes = result.notes.length ? `<h2>Notes</h2><ul>${result.notes.map((n) => `<li>${escape(n)}</li>`).join('')}</ul>` : '';
  const body = `<p>Bundle <b>${escape(result.bundle)}</b>, ${result.variants} variants of ${result.seconds} s per case${result.candidatesPerTake > 1 ? ` (the nearest the prompt of ${result.candidatesPerTake} drawn per take kept)` : ''}, sampling ${escape(describeSampling(result.sampling))}. Per set, scores normalise the set's summed distances (1: as close to the prompts as their true continuations, 0: as close as other pieces' continuations); copy fraction, seam jump and onsets a second are medians over cases.</p>
    <table>${header}${summary}</table>${charts}${skipped}${notes}<h2>Cases</h2>${listening.join('')}`;
  await writeFile(join(out, 'index.html'), page(`Continuation eval: ${result.bundle}`, body));
  return join(out, 'index.html');
}
