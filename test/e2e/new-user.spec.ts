// What a new user meets (issue 21): an error banner that leaves when the user moves on, a job
// bar that never shows a full bar for nothing done, a drop of several photos that says which one
// is asked, and an SVG that is refused alike by the drop and by folder import.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { kindSvg, makeKindImages } from '../fixtures/kinds.js';
import { api } from './api.js';
import { importKinds } from './import-helper.js';
import { expect, test } from './serve-fixture.js';

/** Drops files on the window, as a user dragging them from a file manager does. */
async function drop(page: Page, files: { name: string; type: string; bytes: Buffer }[]) {
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.data)], f.name, { type: f.type }));
    return dt;
  }, files.map((f) => ({ name: f.name, type: f.type, data: [...f.bytes] })));
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

test('an error banner leaves on the next drop, view or query; several dropped photos say which is asked; SVG is refused', async ({ page, served }) => {
  const byKind = await importKinds(page, served, 3, ['rings', 'checkers']);
  const alert = page.locator('.notice[role="alert"]');
  const notes = { name: 'notes.txt', type: 'text/plain', bytes: Buffer.from('not a photo') };

  // A view change clears it.
  await drop(page, [notes]);
  await expect(alert).toContainText('“notes.txt” is not a photo');
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await expect(alert).toHaveCount(0);
  await page.getByRole('button', { name: 'Library', exact: true }).click();

  // A click on a photo (a new query) clears it.
  await drop(page, [notes]);
  await expect(alert).toBeVisible();
  await page.getByTestId('grid').locator('button[data-image-id]').first().click();
  await expect(page.getByTestId('similar-panel')).toBeVisible();
  await expect(alert).toHaveCount(0);

  // A drop of several photos clears it and says only the first is asked.
  await drop(page, [notes]);
  await expect(alert).toBeVisible();
  const photos = byKind.get('checkers')!.slice(0, 3).map((p, i) => ({ name: `drop-${i}.jpg`, type: 'image/jpeg', bytes: readFileSync(p) }));
  await drop(page, photos);
  await expect(alert).toHaveCount(0);
  const panel = page.getByTestId('similar-panel');
  await expect(panel).toContainText('drop-0.jpg');
  await expect(panel.getByTestId('query-note')).toHaveText('3 photos dropped: showing look-alikes of the first');

  // One photo: no note.
  await drop(page, [photos[1]]);
  await expect(panel).toContainText('drop-1.jpg');
  await expect(panel.getByTestId('query-note')).toHaveCount(0);

  // Folder import skips SVG; the drop says so instead of searching with it.
  await drop(page, [{ name: 'logo.svg', type: 'image/svg+xml', bytes: Buffer.from(kindSvg('rings', 1)) }]);
  await expect(alert).toContainText('“logo.svg” is an SVG drawing: Lookalike neither imports nor searches SVG files');
  await expect(panel).toContainText('drop-1.jpg');

  await page.setViewportSize({ width: 900, height: 640 });
  await page.screenshot({ path: test.info().outputPath('svg-900.png') });
  await drop(page, photos);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.screenshot({ path: test.info().outputPath('multi-1600.png') });
});

test('the job bar shows no full bar for "no photos found" or a cancelled import, and says how to resume', async ({ page, served }) => {
  const bar = page.getByTestId('jobbar');
  const addFolder = async (folder: string) => {
    await page.getByRole('button', { name: 'Add folder' }).first().click();
    await page.getByLabel('Folder on this machine').fill(folder);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
  };
  await page.goto(served.url);
  const empty = path.join(served.work, 'empty');
  mkdirSync(empty);
  await addFolder(empty);
  await expect(bar).toContainText(`No photos found in ${empty}`);
  await expect(bar.getByRole('progressbar')).toHaveCount(0);
  await page.setViewportSize({ width: 900, height: 640 });
  await page.screenshot({ path: test.info().outputPath('nothing-900.png') });

  const photos = path.join(served.work, 'photos');
  await makeKindImages(photos, 20, ['rings', 'checkers', 'discs']);
  await addFolder(photos);
  await bar.getByRole('button', { name: 'Cancel' }).click();
  await expect(bar).toHaveAttribute('data-state', 'cancelled');
  await expect(bar).toContainText('Importing cancelled: add the folder again to pick up where it stopped');
  await expect(bar.getByRole('progressbar')).toHaveCount(0);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.screenshot({ path: test.info().outputPath('cancelled-1600.png') });

  // As it says: the folder again brings in all 60, those imported before the cancel unchanged.
  await addFolder(photos);
  await expect(bar).toHaveAttribute('data-state', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('counts')).toContainText('60 photos');
  await expect(page.getByTestId('counts')).toContainText('60 indexed');
});

test('one held-out label gets a sentence, not a perfect score, after the run and after a reload', async ({ page, served }) => {
  await importKinds(page, served, 4, ['rings', 'discs', 'checkers']);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const train = page.getByTestId('train');
  await train.getByText('Hold out labels').click();
  await train.getByRole('checkbox', { name: 'rings' }).check();
  await train.getByLabel('Epochs').fill('2');
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(train.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });

  const single = train.getByTestId('unseen-single');
  await expect(single).toContainText('Held-out label “rings”: one label alone has nothing to be confused with');
  // Only the validation table: no table of 1.000s for the held-out label.
  await expect(train.getByTestId('metrics-table')).toHaveCount(1);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.screenshot({ path: test.info().outputPath('single-1600.png') });

  await page.reload();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(single).toBeVisible();
  await expect(train.getByTestId('metrics-table')).toHaveCount(1);
  await expect(train.getByTestId('model-list')).not.toContainText('unseen');
  await page.setViewportSize({ width: 900, height: 640 });
  await page.screenshot({ path: test.info().outputPath('single-900.png'), fullPage: true });
});

test('the map\'s hover names the photo', async ({ page, served, request }) => {
  await importKinds(page, served, 3, ['rings', 'checkers', 'stripes']);
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  const canvas = page.getByTestId('map-canvas');
  await expect(canvas).toHaveAttribute('data-points', '9');
  const result = await api(request, served.url, 'map', {});
  if (!result.ready) throw new Error('the map the page shows is not cached');
  const { ids, xy } = result.map;
  const { items } = await api(request, served.url, 'listImages', { limit: 100 });
  const box = (await canvas.boundingBox())!;
  const [scale, tx, ty] = (await canvas.getAttribute('data-view'))!.split(',').map(Number);
  await page.mouse.move(box.x + tx + xy[0] * scale, box.y + ty + xy[1] * scale);
  const file = path.basename(items.find((i) => i.id === ids[0])!.path);
  await expect(page.getByTestId('hover-name')).toHaveText(file);
  await page.setViewportSize({ width: 900, height: 640 });
  await page.screenshot({ path: test.info().outputPath('map-900.png') });
});

test('after Ctrl+A the selection bar names every label the selection carries, also on photos the grid has not loaded', async ({ page, served, request }) => {
  await page.setViewportSize({ width: 900, height: 640 });
  await importKinds(page, served, 35, ['stripes', 'checkers', 'discs', 'waves', 'rings', 'dots']);
  // A label only photos past the grid's first page (200) carry.
  const late = await api(request, served.url, 'listImages', { offset: 200, limit: 100 });
  await api(request, served.url, 'setLabel', { label: 'zz-late', ids: late.items.map((i) => i.id) });
  await expect(page.getByTestId('labels-sidebar')).toContainText('zz-late');
  await page.keyboard.press('Control+a');
  const bar = page.getByTestId('selection-bar');
  await expect(bar).toContainText('210 selected');
  for (const l of ['checkers', 'discs', 'dots', 'rings', 'stripes', 'waves', 'zz-late']) {
    await expect(bar.getByRole('button', { name: `Remove label ${l}` })).toBeVisible();
  }
  await page.screenshot({ path: test.info().outputPath('selection-900.png') });
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.screenshot({ path: test.info().outputPath('selection-1600.png') });
});
