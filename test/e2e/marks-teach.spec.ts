// Marks teach (issue 17): a user with no labels marks look-alikes "alike" / "not alike", sees the
// training panel count them until there are enough, trains, and sees what the model was taught
// from and how it ranks the marks held back from it; a mark can be taken back from the marks
// list; the look-alike panel re-ranks with the marks on the photo; the review works without labels.
import type { Locator, Page } from '@playwright/test';
import type { Kind } from '../fixtures/kinds.js';
import { api } from './api.js';
import { importKinds } from './import-helper.js';
import { expect, test, type Served } from './serve-fixture.js';

/** Library ids of the imported photos, by kind, in file order. */
async function idsByKind(request: Parameters<typeof api>[0], served: Served, byKind: Map<Kind, string[]>): Promise<Map<Kind, number[]>> {
  const out = new Map<Kind, number[]>();
  for (const [kind, paths] of byKind) {
    const { ids } = await api(request, served.url, 'findImages', { paths });
    out.set(kind, ids.map((id) => id!));
  }
  return out;
}

/**
 * With SCREENSHOTS_DIR set, saves the page at a large and a small window size, and at each
 * scrolled to `focus` where given (for a person to look at; nothing is asserted).
 */
async function screenshots(page: Page, name: string, focus?: Locator): Promise<void> {
  const dir = process.env.SCREENSHOTS_DIR;
  if (!dir) return;
  for (const [width, height] of [[1600, 1000], [900, 640]]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${dir}/${name}-${width}x${height}.png` });
    if (!focus) continue;
    await focus.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${dir}/${name}-${width}x${height}-scrolled.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

const markRow = (page: Page, a: number, b: number) =>
  page.getByTestId('marks-list').locator(`[data-testid="mark"][data-pair="${a}-${b}"], [data-testid="mark"][data-pair="${b}-${a}"]`);

test('marks alone teach: the panel counts them until there are enough, a run says what it was taught from and how it ranks held-back marks, and a mark can be undone', async ({ page, served, request }) => {
  const kinds = ['rings', 'discs', 'checkers', 'stripes', 'dots', 'waves'] as const;
  const ids = await idsByKind(request, served, await importKinds(page, served, 6, kinds, { labels: false }));
  // Each of the first four kinds: its first photo is alike its next four (16 "alike"); the first
  // three are not alike three photos of the next kind (9 "not alike"): one short of ten.
  for (const [i, kind] of kinds.slice(0, 4).entries()) {
    const [first, ...rest] = ids.get(kind)!;
    for (const other of rest.slice(0, 4)) await api(request, served.url, 'markPair', { a: first, b: other, verdict: 'match' });
    if (i < 3) for (const other of ids.get(kinds[i + 1])!.slice(0, 3)) await api(request, served.url, 'markPair', { a: first, b: other, verdict: 'mismatch' });
  }

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const train = page.getByTestId('train');
  const readiness = train.getByTestId('train-readiness');
  await expect(readiness).toHaveAttribute('data-ready', 'false');
  await expect(readiness).toContainText('0 labels on 0 photos');
  await expect(readiness).toContainText('16 alike / 9 not-alike marks');
  await expect(readiness).toContainText('mark at least 10 look-alikes “alike” and 10 “not alike” (you have 16 and 9)');
  await expect(train.getByRole('button', { name: 'Start training' })).toBeDisabled();
  await expect(train.getByTestId('marks-list')).toContainText('Your marks (25)');

  // The tenth "not alike", through the look-alike panel's own buttons.
  const [stripes, rings] = [ids.get('stripes')![0], ids.get('rings')![0]];
  await page.getByRole('button', { name: 'Library', exact: true }).click();
  await page.getByTestId('grid').locator(`button[data-image-id="${stripes}"]`).click();
  const card = page.getByTestId('hits').locator('li').filter({ has: page.locator(`[data-hit-id="${rings}"]`) });
  await card.getByText('Not alike', { exact: true }).click();
  await expect(card).toHaveAttribute('data-verdict', 'mismatch');

  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(readiness).toHaveAttribute('data-ready', 'true');
  await expect(readiness).toContainText('16 alike / 10 not-alike marks');
  await expect(readiness).not.toContainText('mark at least');
  await expect(train.getByTestId('marks-list')).toContainText('Your marks (26)');
  await expect(markRow(page, stripes, rings)).toHaveAttribute('data-verdict', 'mismatch');

  await train.getByLabel('Epochs').fill('3');
  await train.getByRole('button', { name: 'Start training' }).click();
  await expect(train.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });

  // Without labels the validation chart plots the held-back marks, one point per epoch.
  await expect(train.getByTestId('map-chart')).toHaveCount(0);
  await expect(train.getByTestId('marks-chart')).toHaveAttribute('data-points', '3');
  const taught = train.getByTestId('taught-from');
  await expect(taught).toContainText(/\d+ alike \/ \d+ not-alike marks \(\d+ groups? of alike photos\)/);
  await expect(taught).toContainText(/\d+ marks? held back to judge it/);
  await expect(taught).not.toContainText('label');
  await expect(train.getByTestId('held-back-marks')).toContainText(/Held-back marks ranked right\s*\d\.\d\d → \d\.\d\d/);
  await expect(train.getByTestId('neighbour-overlap')).toHaveText(/Unmarked photos\s*kept \d+ % of their 10 nearest/);
  // Made active, or kept as a version and said so: the status never claims both.
  const status = train.getByTestId('train-status');
  if (await train.getByTestId('not-activated').isVisible()) {
    await expect(status).toHaveText(/^Done: model #\d+ was kept but not made active\.$/);
    await expect(train.getByTestId('not-activated')).toContainText('not made active');
  } else {
    await expect(status).toHaveText(/^Done: model #\d+ is now active\.$/);
  }
  await expect(train.getByTestId('model-list').locator('tr', { hasText: /^#\d/ })).toContainText(/\d+ marks/);
  await screenshots(page, 'train-marks-run', train.getByTestId('model-list'));

  // Undo from the marks list: the row goes, and the panel counts one "not alike" fewer at once.
  await markRow(page, stripes, rings).getByRole('button', { name: 'Undo' }).click();
  await expect(markRow(page, stripes, rings)).toHaveCount(0);
  await expect(train.getByTestId('marks-list')).toContainText('Your marks (25)');
  await expect(readiness).toHaveAttribute('data-ready', 'false');
  await expect(readiness).toContainText('(you have 16 and 9)');
  await expect(train.getByRole('button', { name: 'Start training' })).toBeDisabled();
  expect((await api(request, served.url, 'pairs', { ids: [stripes] })).some((p) => p.a === rings || p.b === rings)).toBe(false);

  // A fresh page reports on the model from what the engine stored with it.
  await page.reload();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(train.getByTestId('train-outcome')).toContainText(/(Active|Latest) model .*#\d+/);
  await expect(taught).toContainText('held back to judge it');
  await expect(train.getByTestId('held-back-marks')).toContainText(/\d\.\d\d → \d\.\d\d/);
  await expect(train.getByTestId('neighbour-overlap')).toContainText(/kept \d+ % of their 10 nearest/);
});

test('the look-alike panel refines its ranking with the photo\'s marks, again as marks change; the review proposes pairs near marks without labels', async ({ page, served, request }) => {
  const ids = await idsByKind(request, served, await importKinds(page, served, 4, ['rings', 'discs', 'checkers'], { labels: false }));
  const [r0, r1, r2, r3] = ids.get('rings')!;
  const d0 = ids.get('discs')![0];
  await api(request, served.url, 'markPair', { a: r0, b: r1, verdict: 'match' });
  await api(request, served.url, 'markPair', { a: r0, b: r2, verdict: 'match' });
  await api(request, served.url, 'markPair', { a: r0, b: d0, verdict: 'mismatch' });

  await page.getByTestId('grid').locator(`button[data-image-id="${r0}"]`).click();
  const panel = page.getByTestId('similar-panel');
  const cardOf = (id: number) => panel.getByTestId('hits').locator('li').filter({ has: page.locator(`[data-hit-id="${id}"]`) });
  // Marks made before (here through the engine) show on their hits.
  await expect(cardOf(r1)).toHaveAttribute('data-verdict', 'match');
  await expect(cardOf(d0)).toHaveAttribute('data-verdict', 'mismatch');
  const plain = Number(await cardOf(d0).getByTestId('score').textContent());

  await panel.getByLabel('Refine with my marks').check();
  await expect(panel.getByTestId('refined-by')).toHaveText('refined by 2 alike / 1 not alike marks');
  // Refined away from the photo marked not alike: it scores lower than before.
  expect(Number(await cardOf(d0).getByTestId('score').textContent())).toBeLessThan(plain);

  // A new mark while refining ranks again at once.
  await cardOf(r3).getByText('Alike', { exact: true }).click();
  await expect(panel.getByTestId('refined-by')).toHaveText('refined by 3 alike / 1 not alike marks');
  await screenshots(page, 'similar-refined');
  await panel.getByLabel('Refine with my marks').uncheck();
  await expect(panel.getByTestId('refined-by')).toHaveCount(0);

  // With marks and no labels, the review proposes pairs near the marked photos.
  await page.getByRole('button', { name: 'Review pairs', exact: true }).click();
  const review = page.getByTestId('review');
  await expect(review.getByTestId('review-progress')).toContainText('Near a photo you marked, where the model is least sure');
  await expect(review.getByTestId('pair-a')).toContainText('no label');
  await screenshots(page, 'review-marks-only');
  await page.keyboard.press('a');
  await expect(review.getByTestId('review-progress').or(review.getByTestId('review-done'))).not.toContainText('Pair 1 of');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect(page.getByTestId('marks-list')).toContainText('Your marks (5)');
});
