import { importKinds } from './import-helper.js';
import { expect, test } from './serve-fixture.js';

test('the labels sidebar counts each label and filters the grid; keyboard labelling labels exactly the selection', async ({ page, served }) => {
  await importKinds(page, served, 4, ['rings', 'discs', 'checkers']);
  const sidebar = page.getByTestId('labels-sidebar');
  const grid = page.getByTestId('grid');
  const row = (label: string) => sidebar.locator(`button[data-label="${label}"]`);

  for (const kind of ['rings', 'discs', 'checkers']) await expect(row(kind).getByTestId('label-count')).toHaveText('4');
  await expect(sidebar.getByRole('button', { name: /All photos/ })).toContainText('12');

  // Filtering: only ring photos remain, then all of them come back.
  await row('rings').click();
  const thumbs = grid.locator('button[data-image-id]');
  await expect(thumbs).toHaveCount(4);
  for (const title of await thumbs.evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))) expect(title).toMatch(/[\\/]rings[\\/]/);
  await sidebar.getByRole('button', { name: /All photos/ }).click();
  await expect(thumbs).toHaveCount(12);

  // Plain click opens look-alikes (and anchors), Shift-click selects a range, Ctrl-click adds one.
  await thumbs.nth(1).click();
  await expect(page.getByTestId('similar-panel')).toBeVisible();
  await thumbs.nth(3).click({ modifiers: ['Shift'] });
  await thumbs.nth(7).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('selection-bar')).toContainText('4 selected');
  const chosen = await grid.locator('button[aria-pressed="true"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))));
  expect(chosen).toHaveLength(4);

  await page.keyboard.press('l');
  await page.keyboard.type('favourite');
  await page.keyboard.press('Enter');
  await expect(row('favourite').getByTestId('label-count')).toHaveText('4');
  await expect(page.getByTestId('selection-bar')).toHaveCount(0);
  await row('favourite').click();
  await expect(thumbs).toHaveCount(4);
  const labelled = await thumbs.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-image-id'))));
  expect(labelled.sort()).toEqual([...chosen].sort());

  // Number keys apply the label whose key the sidebar shows: 2 is the second label created.
  await sidebar.getByRole('button', { name: /All photos/ }).click();
  await expect(thumbs).toHaveCount(12); // the filtered grid is gone before we pick a photo from it
  const second = await sidebar
    .locator('button[data-label]')
    .filter({ has: page.getByTestId('label-key').getByText('2', { exact: true }) })
    .getAttribute('data-label');
  const before = Number(await row(second!).getByTestId('label-count').textContent());
  const targetId = await thumbs.nth(0).getAttribute('data-image-id');
  const target = grid.locator(`button[data-image-id="${targetId}"]`);
  const hadIt = (await target.getByTestId('thumb-labels').textContent())?.split(', ').includes(second!) ?? false;
  await target.click({ modifiers: ['Control'] });
  await page.keyboard.press('2');
  await expect(row(second!).getByTestId('label-count')).toHaveText(String(before + (hadIt ? 0 : 1)));
  await expect(target.getByTestId('thumb-labels')).toContainText(second!);

  // Escape clears a selection without labelling anything.
  await thumbs.nth(4).click({ modifiers: ['Control'] });
  await expect(page.getByTestId('selection-bar')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('selection-bar')).toHaveCount(0);

  // A label the selection carries can be taken off it again.
  await row('favourite').click();
  await expect(thumbs).toHaveCount(4);
  await thumbs.nth(0).click({ modifiers: ['Control'] });
  await page.getByTestId('selection-bar').getByRole('button', { name: 'Remove label favourite' }).click();
  await expect(row('favourite').getByTestId('label-count')).toHaveText('3');
  await expect(thumbs).toHaveCount(3);
});
