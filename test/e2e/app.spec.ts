import path from 'node:path';
import { makeKindImages } from '../fixtures/kinds.js';
import { expect, test } from './serve-fixture.js';

test('a new library shows the empty state and the compute backend', async ({ page, served }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Drop photo folders here' })).toBeVisible();
  await expect(page.getByTestId('backend')).toContainText('wasm');
  // The token leaves the address bar once the page has it.
  expect(page.url()).not.toContain('token=');
});

test('add a folder, watch the import finish, and find look-alikes of a photo', async ({ page, served }) => {
  const photos = path.join(served.work, 'photos');
  const byKind = await makeKindImages(photos, 5, ['rings', 'discs', 'checkers']);
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  await page.getByRole('button', { name: 'Import' }).click();

  const bar = page.getByTestId('jobbar');
  await expect(bar).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(bar).toContainText('15 added');
  await expect(page.getByTestId('counts')).toContainText('15 photos');

  const grid = page.getByTestId('grid');
  await expect(grid.locator('img')).toHaveCount(15);
  // Every thumbnail actually loads.
  await expect
    .poll(() => grid.locator('img').evaluateAll((imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0).length))
    .toBe(15);

  const query = byKind.get('rings')![0];
  await grid.locator(`button[title="${query}"]`).click();
  const panel = page.getByTestId('similar-panel');
  await expect(panel).toBeVisible();
  const hits = panel.getByTestId('hits').locator('button');
  await expect(hits.first()).toBeVisible();
  // Its own kind ranks first: the top hits are other ring photos.
  const top = await hits.evaluateAll((els) => els.slice(0, 3).map((e) => e.getAttribute('title') ?? ''));
  for (const t of top) expect(t).toContain(`${path.sep}rings${path.sep}`);
  const scores = await panel.getByTestId('score').allTextContents();
  const numbers = scores.map(Number);
  expect(numbers).toEqual([...numbers].sort((a, b) => b - a));
});
