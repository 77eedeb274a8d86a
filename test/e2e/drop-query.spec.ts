import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeKindImages } from '../fixtures/kinds.js';
import { expect, test } from './serve-fixture.js';

test('dropping a photo from outside the library shows its look-alikes without adding it', async ({ page, served }) => {
  const photos = path.join(served.work, 'photos');
  await makeKindImages(photos, 4, ['rings', 'checkers']);
  const outside = await makeKindImages(path.join(served.work, 'outside'), 1, ['checkers']);
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('jobbar')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });

  const bytes = [...readFileSync(outside.get('checkers')![0])];
  const dataTransfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'holiday.jpg', { type: 'image/jpeg' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });

  const panel = page.getByTestId('similar-panel');
  await expect(panel).toContainText('holiday.jpg');
  const first = panel.getByTestId('hits').locator('button').first();
  await expect(first).toHaveAttribute('title', new RegExp(`${path.sep}checkers${path.sep}`));
  // The dropped photo is a query only: the library still holds the 8 imported photos.
  await expect(page.getByTestId('counts')).toContainText('8 photos');
});
