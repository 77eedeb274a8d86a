import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import sharp from 'sharp';
import { makeKindImages } from '../fixtures/kinds.js';
import { sceneJpeg } from '../fixtures/scenes.js';
import { expect, test } from './serve-fixture.js';

test('dropping a photo from outside the library shows its look-alikes without adding it', async ({ page, served }) => {
  const photos = path.join(served.work, 'photos');
  await makeKindImages(photos, 4, ['rings', 'checkers']);
  const outside = await makeKindImages(path.join(served.work, 'outside'), 1, ['checkers']);
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('jobbar')).toHaveAttribute('data-state', 'done', { timeout: 90_000 });

  const bytes = [...readFileSync(outside.get('checkers')![0])];
  const dataTransfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'holiday.jpg', { type: 'image/jpeg' }));
    return dt;
  }, bytes);
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });

  const panel = page.getByTestId('similar-panel');
  await expect(panel).toContainText('holiday.jpg');
  const first = panel.getByTestId('hits').locator('button').first();
  await expect(first).toHaveAttribute('title', new RegExp(`${path.sep}checkers${path.sep}`));
  // The dropped photo is a query only: the library still holds the 8 imported photos.
  await expect(page.getByTestId('counts')).toContainText('8 photos');
});

/** Drops one file on the window, as a user dragging it from a file manager does. */
async function dropFile(page: Page, name: string, type: string, bytes: Buffer) {
  const dataTransfer = await page.evaluateHandle(
    ({ data, name, type }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], name, { type }));
      return dt;
    },
    { data: [...bytes], name, type },
  );
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

test('a dropped file that is not a photo, a damaged photo, and a copy of a library photo each get one clear sentence', async ({ page, served }) => {
  const photos = path.join(served.work, 'photos');
  mkdirSync(photos);
  for (let seed = 1; seed <= 4; seed++) writeFileSync(path.join(photos, `scene-${seed}.jpg`), await sceneJpeg(1, seed));
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Add folder' }).first().click();
  await page.getByLabel('Folder on this machine').fill(photos);
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('counts')).toContainText('4 indexed', { timeout: 90_000 });

  await dropFile(page, 'notes.pdf', 'application/pdf', Buffer.from('%PDF-1.4 not a photo'));
  await expect(page.getByRole('alert')).toContainText('“notes.pdf” is not a photo');

  // A damaged JPEG (its start, then garbage): one sentence, not the decoder's words, and no
  // broken-image icon.
  const whole = await sceneJpeg(1, 9);
  await dropFile(page, 'broken.jpg', 'image/jpeg', Buffer.concat([whole.subarray(0, 2), Buffer.alloc(4000, 0x5a)]));
  const panel = page.getByTestId('similar-panel');
  await expect(panel.getByRole('alert')).toHaveText('“broken.jpg” could not be read as a photo: the file is damaged, cut short, or not an image.');
  await expect(panel.locator('img.query')).toHaveCount(0);
  await expect(panel.getByRole('img', { name: 'query' })).toHaveCount(0);

  // One merely cut short (an incomplete download) is refused in the words an import uses, rather
  // than searched with grey below the cut.
  await dropFile(page, 'half.jpg', 'image/jpeg', whole.subarray(0, Math.floor(whole.length / 2)));
  await expect(panel.getByRole('alert')).toHaveText('“half.jpg” is truncated (the file ends early).');
  await expect(panel.getByTestId('hits').locator('li')).toHaveCount(0);

  // An edited copy (smaller, re-saved) of a library photo: "you already have this".
  const copy = await sharp(path.join(photos, 'scene-2.jpg')).resize(480).jpeg({ quality: 60 }).toBuffer();
  await dropFile(page, 'from-phone.jpg', 'image/jpeg', copy);
  await expect(panel.getByTestId('already-have')).toContainText('You already have this photo: scene-2.jpg');
  await expect(panel.getByTestId('hits').locator('li').first().getByTestId('same-photo')).toBeVisible();
  await expect(panel.getByTestId('already-have')).toContainText('an edited or re-saved copy');

  // The very same file under another name: named an exact copy, first, at 1.000, kept by the max
  // score at its top (a score a hair above 1 once hid it there).
  await dropFile(page, 'IMG_0003.jpg', 'image/jpeg', readFileSync(path.join(photos, 'scene-3.jpg')));
  await expect(panel.getByTestId('already-have')).toContainText('You already have this photo: scene-3.jpg is the same file');
  await expect(panel.getByTestId('hits').locator('li').first().getByTestId('score')).toHaveText('1.000');
  await expect(panel.getByTestId('hits').locator('li').first().getByTestId('same-photo')).toBeVisible();
});
