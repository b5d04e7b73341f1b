import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';

/** Drops a file on the window the way the OS does: a drop event carrying a DataTransfer with a File. */
export async function dropFile(page: Page, path: string, name: string, type: string): Promise<void> {
  const bytes = [...readFileSync(path)];
  const dataTransfer = await page.evaluateHandle(
    ({ bytes, name, type }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name, { type }));
      return transfer;
    },
    { bytes, name, type },
  );
  await page.dispatchEvent('[data-testid=app]', 'dragover', { dataTransfer });
  await page.dispatchEvent('[data-testid=app]', 'drop', { dataTransfer });
}
