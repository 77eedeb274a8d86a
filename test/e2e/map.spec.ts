// The embedding map in Chromium: a lasso selects exactly the points inside it and one click
// labels exactly those photos; and the canvas keeps redrawing 100,000 points fast enough to
// pan and zoom (synthetic map served in place of the engine's, draw times reported).
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import type { EmbeddingMap, ImagePage, MapResult, Status } from '../../src-shared/contract.js';
import { makeKindImages } from '../fixtures/kinds.js';
import { expect, test } from './serve-fixture.js';

async function api<T>(request: APIRequestContext, url: string, method: string, body: unknown): Promise<T> {
  const token = new URL(url).searchParams.get('token');
  const res = await request.post(new URL(`/api/${method}`, url).href, { data: body, headers: { authorization: `Bearer ${token}` } });
  const json = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!json.ok) throw new Error(json.error?.message);
  return json.result;
}

test('a lasso on the map selects points, and one click labels exactly those photos', async ({ page, served, request }) => {
  const photos = path.join(served.work, 'photos');
  await makeKindImages(photos, 5, ['rings', 'checkers', 'stripes']);
  await api(request, served.url, 'importFolders', { paths: [photos] });
  await expect.poll(async () => (await api<Status>(request, served.url, 'status', {})).embedded, { timeout: 60_000 }).toBe(15);

  await page.goto(served.url);
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  const canvas = page.getByTestId('map-canvas');
  await expect(canvas).toHaveAttribute('data-points', '15');
  const result = await api<MapResult>(request, served.url, 'map', {});
  if (!result.ready) throw new Error('the map the page shows is not cached');
  const map = result.map;

  // Where each point is on screen, from the canvas's view transform.
  const box = (await canvas.boundingBox())!;
  const [scale, tx, ty] = (await canvas.getAttribute('data-view'))!.split(',').map(Number);
  const screen = map.ids.map((id, i) => ({ id, x: box.x + tx + map.xy[2 * i] * scale, y: box.y + ty + map.xy[2 * i + 1] * scale }));
  // Cut at the widest horizontal gap between neighbouring points, away from the edges.
  const xs = screen.map((p) => p.x).sort((a, b) => a - b);
  let cut = 0;
  let widest = 0;
  for (let i = 2; i < xs.length - 3; i++) if (xs[i + 1] - xs[i] > widest) [widest, cut] = [xs[i + 1] - xs[i], (xs[i] + xs[i + 1]) / 2];
  const expected = screen.filter((p) => p.x < cut).map((p) => p.id).sort((a, b) => a - b);
  expect(expected.length).toBeGreaterThan(0);
  expect(expected.length).toBeLessThan(15);

  const [left, top, bottom] = [box.x + 2, box.y + 2, box.y + box.height - 2];
  await page.mouse.move(left, top);
  await page.mouse.down();
  await page.mouse.move(cut, top, { steps: 4 });
  await page.mouse.move(cut, bottom, { steps: 4 });
  await page.mouse.move(left, bottom, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('map-selection-count')).toHaveText(`${expected.length} selected`);

  // The lasso's selection appears in the library grid, ready to label there too.
  await page.getByRole('button', { name: 'Select in library' }).click();
  await expect(page.getByTestId('selection-bar')).toContainText(`${expected.length}`);
  const picked = await page.getByTestId('grid').locator('button[aria-pressed="true"]').evaluateAll((els) =>
    els.map((e) => Number(e.getAttribute('data-image-id'))).sort((a, b) => a - b),
  );
  expect(picked).toEqual(expected);
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  await expect(page.getByTestId('map-selection-count')).toHaveText(`${expected.length} selected`);

  await page.getByLabel('Label for the selection').fill('picked');
  await page.getByRole('button', { name: `Label ${expected.length}` }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Labelled' })).toContainText(`Labelled ${expected.length} photo`);
  const labelled = await api<ImagePage>(request, served.url, 'listImages', { label: 'picked' });
  expect(labelled.items.map((i) => i.id).sort((a, b) => a - b)).toEqual(expected);
  // The legend now shows the new label.
  await expect(page.getByRole('list', { name: 'Labels' })).toContainText('picked');
});

test('the map canvas redraws 100,000 points while zooming', async ({ page, served }) => {
  const n = 100_000;
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const synthetic: EmbeddingMap = {
    model: null, seed: 1, points: n, sampled: 5000, seconds: 0,
    ids: Array.from({ length: n }, (_, i) => i + 1),
    xy: Array.from({ length: 2 * n }, () => Math.round(random() * 1e5) / 1e5),
    labelNames: ['a', 'b', 'c', 'd', 'e'],
    label: Array.from({ length: n }, (_, i) => (i % 6) - 1),
    names: Array.from({ length: n }, (_, i) => `photo-${i + 1}.jpg`),
  };
  await page.route('**/api/map', (route) => route.fulfill({ json: { ok: true, result: { ready: true, map: synthetic } } }));
  // The map view offers to import first in an empty library: let it believe it holds the points.
  await page.route('**/api/status', async (route) => {
    const real = (await (await route.fetch()).json()) as { ok: true; result: { images: number; embedded: number } };
    await route.fulfill({ json: { ok: true, result: { ...real.result, images: n, embedded: n } } });
  });
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Map', exact: true }).click();
  const canvas = page.getByTestId('map-canvas');
  await expect(canvas).toHaveAttribute('data-points', String(n));
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const drawMs: number[] = [];
  for (let i = 0; i < 12; i++) {
    await page.mouse.wheel(0, i < 6 ? -200 : 200);
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve(null)))');
    drawMs.push(Number(await canvas.getAttribute('data-draw-ms')));
  }
  drawMs.sort((a, b) => a - b);
  const median = drawMs[Math.floor(drawMs.length / 2)];
  test.info().annotations.push({ type: 'draw-ms', description: `100k points, median ${median.toFixed(1)} ms, max ${drawMs.at(-1)!.toFixed(1)} ms` });
  console.log(`map canvas, 100k points: median redraw ${median.toFixed(1)} ms, max ${drawMs.at(-1)!.toFixed(1)} ms (${box.width}x${box.height} CSS px)`);
  expect(drawMs.every((ms) => ms > 0)).toBe(true);
});
