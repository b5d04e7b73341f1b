import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary } from '../../scripts/electronBinary.mjs';
import { fixture, repoRoot } from '../fixtures/paths';

const binary = electronBinary();

test('the desktop app opens a clip, shows its waveform and plays it', async ({}, testInfo) => {
  const reason = 'Electron\'s binary is not installed here (its download is blocked); run `node node_modules/electron/install.js` where GitHub is reachable to include this test.';
  if (!binary) console.log(`electron test skipped: ${reason}`);
  test.skip(!binary, reason);
  const app = await electron.launch({ executablePath: binary!, args: [join(repoRoot, 'out', 'main', 'index.js'), '--no-sandbox'] });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('empty-state')).toBeVisible();
    await page.getByTestId('file-input').setInputFiles(fixture('chord-48k-24bit-stereo.wav'));
    await expect(page.getByTestId('lane')).toHaveCount(1);
    await page.screenshot({ path: testInfo.outputPath('electron-waveform.png') });
    await page.getByTestId('play-toggle').click();
    await expect(page.getByTestId('play-toggle')).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('file-input').setInputFiles(fixture('corrupt.mp3'));
    await expect(page.getByTestId('toast-error')).toContainText('corrupt.mp3');
  } finally {
    await app.close();
  }
});
