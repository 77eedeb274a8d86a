import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
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

  // The review is the user's work: "Find again" and a reload show it, and it can be undone.
  await view.getByRole('button', { name: 'Find again' }).click();
  await expect(keepOriginal.getByRole('button', { name: 'Kept' })).toBeDisabled();
  await page.reload();
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await expect(view.getByTestId('duplicates-summary')).toContainText('1 reviewed');
  await expect(view.getByTestId('duplicates-summary')).toContainText('1 copy you chose not to keep');
  await expect(keepOriginal.getByRole('button', { name: 'Kept' })).toBeDisabled();
  await group.getByRole('button', { name: 'Undo' }).click();
  await expect(view.getByTestId('duplicates-summary')).toContainText('0 reviewed');
  await expect(keepOriginal.getByRole('button', { name: 'Keep this one' })).toBeEnabled();
  await page.reload();
  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  await expect(view.getByTestId('duplicates-summary')).toContainText('0 reviewed');
});

test('the duplicates view shows a file saved at two paths as a group of its own, first', async ({ page, served }) => {
  const photos = path.join(served.work, 'photos');
  const byKind = await makeKindImages(photos, 2, ['stripes', 'discs']);
  const original = byKind.get('discs')![0];
  const again = path.join(photos, 'again', path.basename(original));
  mkdirSync(path.dirname(again));
  copyFileSync(original, again);

  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('jobbar')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });

  await page.getByRole('button', { name: 'Duplicates', exact: true }).click();
  const first = page.getByTestId('duplicates').getByTestId('duplicate-group').first();
  await expect(first).toHaveAttribute('data-kind', 'same-file');
  await expect(first).toContainText('same file at 2 paths');
  await expect(first.getByTestId('dup-name')).toHaveCount(2);
  // Keeping one path lists the other for the user to remove; the file itself stays.
  const keepAgain = first.locator('li').filter({ has: page.locator(`[title="${again}"]`) });
  await keepAgain.getByRole('button', { name: 'Keep this one' }).click();
  await expect(first).toContainText('reviewed');
  await expect(page.getByTestId('duplicates-summary')).toContainText('1 copy you chose not to keep');
  expect(existsSync(original)).toBe(true);
});
