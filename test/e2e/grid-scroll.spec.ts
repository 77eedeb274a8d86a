// The grid of a library larger than one page of the listing (200 photos): it opens with the
// first photos drawn, a jump to the end draws the last photo, and only the rows in view exist
// in the page. The figures at 70,000 photos come from bench/grid.ts.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { makeKindImages, KINDS } from '../fixtures/kinds.js';
import { api } from './api.js';
import { expect, test } from './serve-fixture.js';

/** Whether every thumbnail in the grid's view has been drawn (no placeholder left). */
function viewDrawn(page: Page, id?: number): Promise<boolean> {
  return page.getByTestId('grid').evaluate((grid, wanted) => {
    const box = grid.getBoundingClientRect();
    const imgs = [...grid.querySelectorAll<HTMLImageElement>(wanted == null ? 'img' : `[data-image-id="${wanted}"] img`)].filter((img) => {
      const r = img.getBoundingClientRect();
      return r.bottom > box.top && r.top < box.bottom;
    });
    return imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0) && grid.querySelectorAll('.placeholder').length === 0;
  }, id ?? null);
}

test('a grid of 504 photos opens, jumps to its last photo and keeps only the rows in view', async ({ page, request, served }) => {
  const photos = path.join(served.work, 'photos');
  await makeKindImages(photos, 84, KINDS);
  await api(request, served.url, 'importFolders', { paths: [photos] });
  await page.goto(served.url);
  await expect(page.getByTestId('counts')).toContainText('504 photos', { timeout: 90_000 });

  await expect.poll(() => viewDrawn(page)).toBe(true);
  const page0 = await api(request, served.url, 'listImages', { offset: 0, limit: 1 });
  await expect(page.locator(`[data-image-id="${page0.items[0].id}"]`)).toBeVisible();

  const last = (await api(request, served.url, 'listImages', { offset: 503, limit: 1 })).items[0];
  await page.getByTestId('grid').evaluate((g) => (g.scrollTop = g.scrollHeight));
  await expect.poll(() => viewDrawn(page, last.id)).toBe(true);
  await expect(page.locator(`[data-image-id="${last.id}"] img`)).toHaveAttribute('alt', path.basename(last.path));
  // Virtualized: the first photo is gone from the page, and far fewer cells exist than photos.
  await expect(page.locator(`[data-image-id="${page0.items[0].id}"]`)).toHaveCount(0);
  expect(await page.locator('[data-testid="grid"] .cell').count()).toBeLessThan(120);

  // A jump into the middle page draws it too.
  await page.getByTestId('grid').evaluate((g) => (g.scrollTop = g.scrollHeight / 2));
  await expect.poll(() => viewDrawn(page)).toBe(true);
});
