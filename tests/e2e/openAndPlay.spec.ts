import { expect, test } from '@playwright/test';
import { dropFile } from './dropFile';
import { fixture } from '../fixtures/paths';
import { startWebHostProcess } from './webHostProcess';

let host: Awaited<ReturnType<typeof startWebHostProcess>>;

test.beforeAll(async () => {
  host = await startWebHostProcess();
});
test.afterAll(async () => {
  await host.stop();
});

test('drop a clip, see its waveform, play and stop it; a corrupt file is reported and nothing breaks', async ({ page }, testInfo) => {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(host.url);
  await expect(page.getByTestId('empty-state')).toBeVisible();

  await dropFile(page, fixture('chord-48k-24bit-stereo.wav'), 'chord.wav', 'audio/wav');
  const lane = page.getByTestId('lane');
  await expect(lane).toHaveCount(1);
  await expect(lane).toContainText('chord.wav');
  await expect(lane).toContainText('2.0 s');
  await expect(page.getByTestId('time-ruler')).toContainText('0:02.0');
  // The waveform was drawn: the canvas has the clip's width and ink in it.
  const inked = await page.getByTestId('waveform').evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
    return { width: canvas.clientWidth, share: count / (data.length / 4) };
  });
  expect(inked.width).toBe(80);
  expect(inked.share).toBeGreaterThan(0.05);
  await page.screenshot({ path: testInfo.outputPath('waveform.png') });

  const play = page.getByTestId('play-toggle');
  await play.click();
  await expect(play).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('transport-time')).not.toHaveText(/^0:00\.0 \//);
  await play.click();
  await expect(play).toHaveAttribute('aria-pressed', 'false');
  // Space toggles too.
  await page.keyboard.press('Space');
  await expect(play).toHaveAttribute('aria-pressed', 'true');
  await page.keyboard.press('Space');
  await expect(play).toHaveAttribute('aria-pressed', 'false');

  await page.getByTestId('file-input').setInputFiles(fixture('corrupt.mp3'));
  const toast = page.getByTestId('toast-error');
  await expect(toast).toContainText('No audio could be decoded from corrupt.mp3: the MP3 file is damaged or truncated.');
  await page.screenshot({ path: testInfo.outputPath('corrupt-toast.png') });

  await dropFile(page, fixture('speech.ogg'), 'speech.ogg', 'audio/ogg');
  await expect(lane).toHaveCount(2);
  await expect(lane.nth(1)).toContainText('speech.ogg');
  expect(errors).toEqual([]);
});
