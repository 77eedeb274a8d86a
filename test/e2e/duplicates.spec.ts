import { existsSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { makeKindImages } from '../fixtures/kinds.js';
import { expect, test } from './serve-fixture.js';

test('the duplicates view groups a re-encoded copy with its original; keeping one deletes nothing', async ({ page, served }) => {
  const photos = path.join(served.work, 'photos');
  const byKind = await makeKindImages(photos, 3, ['stripes', 'discs']);
  const original = byKind.get('discs')![0];
  const copy = path.join(photos, 'discs', 'discs-1 smaller copy.jpg');
  await sharp(original).resize(288).jpeg({ quality: 75 }).toFile(copy);

  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('jobbar')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('counts')).toContainText('7 indexed');

  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  const view = page.getByTestId('duplicates');
  await expect(view).toContainText('never deletes');
  const group = view.getByTestId('duplicate-group').filter({ has: page.locator(`img[alt="${path.basename(copy)}"]`) });
  await expect(group).toHaveCount(1);
  await expect(group.locator(`img[alt="${path.basename(original)}"]`)).toHaveCount(1);

  const keepOriginal = group.locator('li').filter({ has: page.locator(`img[alt="${path.basename(original)}"]`) });
  await keepOriginal.getByRole('button', { name: 'Keep this one' }).click();
  await expect(keepOriginal.getByRole('button', { name: 'Kept' })).toBeDisabled();
  await expect(group).toContainText('reviewed');
  await expect(view.getByTestId('duplicates-summary')).toContainText('still on disk');
  expect(existsSync(copy)).toBe(true);
  expect(existsSync(original)).toBe(true);
});
