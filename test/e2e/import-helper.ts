// Brings generated photos into the served library the way a user does: the Add-folder form,
// with "Label photos by folder name" (unless `labels` is false: a user with no labels), then
// waits for the import (and its embedding) to finish.
import path from 'node:path';
import type { Page } from '@playwright/test';
import { makeKindImages, type Kind } from '../fixtures/kinds.js';
import { expect, type Served } from './serve-fixture.js';

export async function importKinds(
  page: Page,
  served: Served,
  perKind: number,
  kinds: readonly Kind[],
  { labels = true }: { labels?: boolean } = {},
): Promise<Map<Kind, string[]>> {
  const photos = path.join(served.work, 'photos');
  const byKind = await makeKindImages(photos, perKind, kinds);
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  if (labels) await page.getByLabel('Label photos by folder name').check();
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('jobbar')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  const total = perKind * kinds.length;
  await expect(page.getByTestId('counts')).toContainText(`${total} photos`);
  await expect(page.getByTestId('counts')).toContainText(`${total} indexed`);
  return byKind;
}
