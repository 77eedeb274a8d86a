// What a new user meets before and just after the first import (issue 13): the link page in
// browser mode, the folder box's refusals and reasons, "no photos found", the empty map, the
// Export view, stable number keys, Ctrl+A, names and labels on look-alikes, Review's Back, and
// a finished job that leaves the bar. Steps wait on what a user sees, never on sleeps.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { importKinds } from './import-helper.js';
import { expect, test } from './serve-fixture.js';

/** Neither the page nor the grid scrolls sideways, and the page does not scroll at all. */
async function expectNoStraySpace(page: Page) {
  const m = await page.evaluate(() => ({
    overX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    overY: document.documentElement.scrollHeight - document.documentElement.clientHeight,
    grid: (() => {
      const g = document.querySelector('[data-testid="grid"]');
      return g ? g.scrollWidth - g.clientWidth : 0;
    })(),
  }));
  expect(m).toEqual({ overX: 0, overY: 0, grid: 0 });
}

test('before any photo: the link page, the folder box explains what is wrong, empty map, Export in the navigation', async ({ page, served }) => {
  await page.setViewportSize({ width: 900, height: 600 });
  // Without its token the page says how to get the link instead of showing a broken app.
  await page.goto(served.url.replace(/\?token=.*/, ''));
  await expect(page.getByTestId('token-page')).toContainText('lookalike serve --print-url');
  await expect(page.getByRole('button', { name: 'Add folder' })).toHaveCount(0);
  // An old tab's token (serve was restarted) gets the same page, not a broken app.
  await page.goto(served.url.replace(/token=[\w-]+/, 'token=stale'));
  await expect(page.getByTestId('token-page')).toBeVisible();

  // ...which `serve --print-url` prints again.
  const bin = path.resolve(import.meta.dirname, '../../bin/lookalike.js');
  const printed = execFileSync(process.execPath, [bin, 'serve', '--print-url', '--library', served.library], { encoding: 'utf8' });
  expect(printed.trim()).toBe(served.url);

  await page.goto(served.url);
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expectNoStraySpace(page);

  await page.getByRole('button', { name: 'Add folder' }).first().click();
  const box = page.getByLabel('Folder on this machine');
  const importButton = page.getByRole('button', { name: 'Import', exact: true });
  // A disabled button looks disabled.
  await expect(importButton).toBeDisabled();
  expect(Number(await importButton.evaluate((b) => getComputedStyle(b).opacity))).toBeLessThan(0.6);

  await box.fill('Pictures/2024');
  await importButton.click();
  await expect(page.getByTestId('folder-error')).toContainText('“Pictures/2024” is not a full path');

  const file = path.join(served.work, 'holiday.jpg');
  writeFileSync(file, 'x');
  await box.fill(`"${file}"`); // as a file manager's "copy path" gives it
  await importButton.click();
  await expect(page.getByTestId('folder-error')).toContainText(`not a folder: ${file} is a file`);
  await expect(box).toHaveValue(`"${file}"`); // still open, the typo still there to fix

  const empty = path.join(served.work, 'empty');
  mkdirSync(empty);
  await box.fill(empty);
  await importButton.click();
  await expect(box).toHaveCount(0);
  await expect(page.getByTestId('jobbar')).toContainText(`No photos found in ${empty}`);

  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await expect(page.getByTestId('map-empty')).toContainText('Import a folder first');
  await expect(page.getByTestId('map-canvas')).toHaveCount(0);

  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(page.getByTestId('export')).toBeVisible();
  await expect(page.getByRole('radio', { name: /Trained model/ })).toBeVisible();
});

test('after an import: number keys keep their labels, Ctrl+A selects every photo, results show names and labels, Back shows the verdict', async ({ page, served }) => {
  await page.setViewportSize({ width: 900, height: 600 });
  await importKinds(page, served, 4, ['rings', 'discs', 'checkers']);
  // The finished import leaves the bar by itself.
  await expect(page.getByTestId('jobbar')).toHaveCount(0, { timeout: 15_000 });
  await expectNoStraySpace(page);

  const sidebar = page.getByTestId('labels-sidebar');
  const key = (label: string) => sidebar.locator(`button[data-label="${label}"]`).getByTestId('label-key');
  const grid = page.getByTestId('grid');
  const thumbs = grid.locator('button[data-image-id]');
  await expect(key('checkers')).toHaveText('1');

  // A new label sorts first in the sidebar but takes the next key: key 1 still means "checkers".
  await thumbs.nth(0).click({ modifiers: ['Control'] });
  await page.keyboard.press('l');
  await page.keyboard.type('aardvark');
  await page.keyboard.press('Enter');
  await expect(sidebar.locator('button[data-label]').first()).toHaveAttribute('data-label', 'aardvark');
  await expect(key('aardvark')).toHaveText('4');
  await expect(key('checkers')).toHaveText('1');

  // Ctrl+A picks all twelve photos, not the page's text.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+a');
  await expect(page.getByTestId('selection-bar')).toContainText('12 selected');
  expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');

  // Look-alikes show each photo's name and labels without hovering.
  const ring = grid.locator('button[title*="rings"]').first();
  await ring.click();
  const panel = page.getByTestId('similar-panel');
  const firstName = panel.getByTestId('hit-name').first();
  await expect(firstName).toBeVisible();
  await expect(firstName).toHaveText(/\.(jpg|png)$/);
  await expect(panel.getByTestId('hit-labels').first()).toBeVisible();
  await expect(panel.getByTestId('hit-labels').first()).toHaveText(/rings|discs|checkers/);
  await panel.getByRole('button', { name: 'Close' }).click();

  // Review: an answer, then Back, shows the answer given.
  await page.getByRole('button', { name: 'Review pairs', exact: true }).click();
  await expect(page.getByTestId('review-progress')).toContainText('Pair 1 of');
  await page.keyboard.press('a');
  await expect(page.getByTestId('review-progress')).toContainText('Pair 2 of');
  await expect(page.getByTestId('review-answer')).toHaveCount(0);
  await page.getByRole('button', { name: /^Back/ }).click();
  await expect(page.getByTestId('review-progress')).toContainText('Pair 1 of');
  await expect(page.getByTestId('review-answer')).toContainText('You said: alike');
  await expect(page.getByRole('button', { name: /^Alike/ })).toHaveAttribute('aria-pressed', 'true');
});
