import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { cliBin, fixture, repoRoot, scratchDir } from '../fixtures/paths';
import { dropFile } from './dropFile';
import { startWebHostProcess } from './webHostProcess';

let host: Awaited<ReturnType<typeof startWebHostProcess>>;
const projects = scratchDir('journey-projects');

test.beforeAll(async () => {
  // The tiny test bundle stands in for the shipped ones; imports and projects go to scratch folders.
  host = await startWebHostProcess({ SKETCHPAD_MODELS_DIR: join(repoRoot, 'tests', 'bundles'), SKETCHPAD_USER_BUNDLES: scratchDir('journey-bundles'), SKETCHPAD_PROJECTS: projects });
});
test.afterAll(async () => {
  await host.stop();
});

test('the musician\'s journey: region, generate, cancel, compare, keep, continue, export, undo', async ({ page }, testInfo) => {
  const shot = (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(host.url);
  await expect(page.getByTestId('device')).toContainText('Runs on CPU');

  await dropFile(page, fixture('speech-24k.wav'), 'speech.wav', 'audio/wav');
  const lanes = page.getByTestId('lane');
  await expect(lanes).toHaveCount(1);
  // The default prompt is the last 4 s; drag across the waveform to choose 0.5 s - 2.5 s instead.
  const body = lanes.first().locator('.lane-body');
  const box = (await body.boundingBox())!;
  await page.mouse.move(box.x + 0.5 * 40, box.y + 30);
  await page.mouse.down();
  await page.mouse.move(box.x + 1.5 * 40, box.y + 30, { steps: 5 });
  await page.mouse.move(box.x + 2.5 * 40, box.y + 30, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('generate-source')).toContainText('prompt 0.5–2.5 s');
  await shot('1-region');

  await page.getByTestId('generate-seconds').fill('2');
  await page.getByTestId('generate-variants').fill('3');
  await page.getByTestId('generate-fixed-seed').check();
  await page.getByTestId('generate-seed').fill('42');
  await page.getByTestId('generate').click();
  await expect(page.locator('[data-testid=lane][data-kind=variant]')).toHaveCount(3);
  await expect(page.locator('[data-testid=lane][data-kind=variant]').first()).toContainText('seed 42, variant 1');
  await shot('2-variants');

  // A long second run: progress shows the stage and an ETA; cancel stops it and adds nothing.
  await page.getByTestId('generate-seconds').fill('60');
  await page.getByTestId('generate-variants').fill('8');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('generate-progress')).toBeVisible();
  await expect(page.getByTestId('generate-progress')).toContainText(/%/);
  await shot('3-progress');
  await page.getByTestId('generate-cancel').click();
  await expect(page.getByTestId('toast-info')).toContainText('Generation cancelled.');
  await expect(page.locator('[data-testid=lane][data-kind=variant]')).toHaveCount(3);

  // Compare: solo the second take, play, A/B to the first, stop.
  const takes = page.locator('[data-testid=lane][data-kind=variant]');
  await takes.nth(1).getByTestId('lane-solo').click();
  await expect(takes.nth(1).getByTestId('lane-solo')).toHaveAttribute('aria-pressed', 'true');
  await expect(takes.nth(0)).toHaveClass(/silent/);
  await page.getByTestId('play-toggle').click();
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-pressed', 'true');
  await takes.nth(0).getByTestId('lane-ab').click();
  await expect(takes.nth(1)).toHaveClass(/silent/);
  await expect(takes.nth(0)).not.toHaveClass(/silent/);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-pressed', 'false');
  // The metronome is off until asked for; with it on, playback still starts and stops.
  await expect(page.getByTestId('metronome')).not.toBeChecked();
  await page.getByTestId('metronome').check();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Space');
  await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-pressed', 'false');

  // Keep the first take, rename it, continue from it.
  await takes.nth(0).getByTestId('lane-keep').click();
  await expect(takes.nth(0).getByTestId('lane-name')).toContainText('★');
  await takes.nth(0).getByTestId('lane-name').dblclick();
  await page.getByTestId('lane-rename').fill('Best take');
  await page.keyboard.press('Enter');
  await expect(takes.nth(0).getByTestId('lane-name')).toContainText('★ Best take');
  await page.getByTestId('generate-seconds').fill('2');
  await page.getByTestId('generate-variants').fill('2');
  await takes.nth(0).getByTestId('lane-continue').click();
  await expect(takes).toHaveCount(5);
  await shot('4-continued');

  // Export the kept take with its prompt, 24-bit 48 kHz: the file decodes with that rate and length.
  await takes.nth(0).getByTestId('lane-export').click();
  await page.getByTestId('export-rate').selectOption('48000');
  await page.getByTestId('export-depth').selectOption('24');
  await page.getByTestId('export-with-prompt').check();
  const downloading = page.waitForEvent('download');
  await page.getByTestId('export-run').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('speech-Best-take-with-prompt-48k-24bit.wav');
  const saved = join(scratchDir('journey-export'), download.suggestedFilename());
  await download.saveAs(saved);
  const info = JSON.parse(spawnSync(process.execPath, [cliBin, 'info', saved, '--json'], { encoding: 'utf8' }).stdout) as { sampleRate: number; durationSeconds: number };
  expect(info.sampleRate).toBe(48000);
  expect(info.durationSeconds).toBeCloseTo(2 + 2, 2);
  expect(spawnSync('soxi', ['-b', saved], { encoding: 'utf8' }).stdout.trim()).toBe('24');
  await shot('5-export');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('export-dialog')).toHaveCount(0);

  // Undo and redo a discard.
  await takes.nth(4).getByTestId('lane-remove').click();
  await expect(takes).toHaveCount(4);
  await page.getByTestId('undo').click();
  await expect(takes).toHaveCount(5);
  await page.keyboard.press('Control+Shift+Z');
  await expect(takes).toHaveCount(4);

  // A corrupt file is reported and nothing else breaks.
  await page.getByTestId('file-input').setInputFiles(fixture('corrupt.mp3'));
  await expect(page.getByTestId('toast-error')).toContainText('corrupt.mp3');
  await expect(takes).toHaveCount(4);

  // Save the project, reload the page: the autosave is offered, and the saved project reopens whole.
  await page.keyboard.press('Control+s');
  await page.getByTestId('project-name').fill('Journey');
  await page.getByTestId('project-save').click();
  await expect(page.getByTestId('toast-info').last()).toContainText('Saved "Journey".');
  await page.reload();
  await expect(page.getByTestId('recovery')).toContainText('5 lanes');
  await page.getByTestId('open-project').click();
  await page.getByTestId('project-open-item').filter({ hasText: 'Journey' }).click();
  await expect(page.getByTestId('lane')).toHaveCount(5);
  await expect(page.getByTestId('project-title')).toHaveText('Journey');
  await expect(page.locator('[data-testid=lane][data-kind=variant]').first().getByTestId('lane-name')).toContainText('★ Best take');
  await expect(page.getByTestId('generate-seed')).toHaveValue('42');
  await shot('6-reopened');

  // A moved audio file is reported on open and can be relinked.
  const { readdirSync, rmSync } = await import('node:fs');
  const audio = join(projects, 'Journey', 'audio');
  const clipFile = readdirSync(audio).sort()[0]!;
  rmSync(join(audio, clipFile));
  await page.reload();
  await page.getByTestId('open-project').click();
  await page.getByTestId('project-open-item').filter({ hasText: 'Journey' }).click();
  await expect(page.getByTestId('lane-missing')).toHaveCount(1);
  await expect(page.getByTestId('toast-warning').first()).toContainText('is missing');
  await page.getByTestId('relink-input').setInputFiles(fixture('speech-24k.wav'));
  await expect(page.getByTestId('lane-missing')).toHaveCount(0);
  await expect(page.getByTestId('lane')).toHaveCount(5);

  // Help and models.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help')).toContainText('Generate from the selected lane');
  await page.keyboard.press('?');
  await page.getByTestId('open-models').click();
  await expect(page.getByTestId('bundle-row')).toHaveCount(1);
  await expect(page.getByTestId('models-view')).toContainText('tiny-test');
  await shot('6-models');
  expect(errors).toEqual([]);
});
