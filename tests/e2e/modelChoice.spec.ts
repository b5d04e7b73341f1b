import { expect, test } from '@playwright/test';
import { startWebHostProcess } from './webHostProcess';

let host: Awaited<ReturnType<typeof startWebHostProcess>>;

test.beforeAll(async () => {
  // The shipped bundles: the general one has a fine stage, the piano and speech ones have none.
  host = await startWebHostProcess();
});
test.afterAll(async () => {
  await host.stop();
});

test('the per-stage temperatures offer only the stages the chosen model samples', async ({ page }) => {
  await page.goto(host.url);
  const bundle = page.getByTestId('generate-bundle');
  await expect(bundle.locator('option')).toHaveCount(4);
  // Automatic: the engine hears piano or speech in the prompt; the fine temperature is for the general bundle.
  await expect(bundle.locator('option').first()).toHaveText('Automatic (piano, speech or general, by the clip)');
  await page.getByTestId('generate-advanced').check();
  const sliders = page.locator('input[data-testid^=temperature-]');
  await expect(sliders).toHaveCount(3);
  await expect(page.getByTestId('temperature-fine')).toBeVisible();
  // Under Automatic only the general bundle has a fine stage to sample, and the label says so.
  await expect(page.getByTestId('temperature-label-fine')).toContainText('Temperature, fine (general bundle only)');

  await bundle.selectOption({ label: 'Sketchpad piano · piano' });
  await expect(sliders).toHaveCount(2);
  await expect(page.getByTestId('temperature-fine')).toHaveCount(0);
  await expect(page.getByTestId('temperature-coarse')).toBeVisible();

  await bundle.selectOption({ label: 'Sketchpad speech · speech' });
  await expect(sliders).toHaveCount(2);
  await bundle.selectOption({ label: 'Sketchpad general (piano and speech) · general' });
  await expect(sliders).toHaveCount(3);
  await expect(page.getByTestId('temperature-label-fine')).not.toContainText('general bundle only');
  await bundle.selectOption({ index: 0 });
  await expect(sliders).toHaveCount(3);
});
