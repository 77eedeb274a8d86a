// The export panel in a browser: an export over an existing file asks before overwriting, and
// a labels file is imported by picking it (the page sends its text; the server reads no path).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext } from '@playwright/test';
import type { Status } from '../../src-shared/contract.js';
import { makeKindImages } from '../fixtures/kinds.js';
import { expect, test } from './serve-fixture.js';

async function api<T>(request: APIRequestContext, url: string, method: string, body: unknown): Promise<T> {
  const token = new URL(url).searchParams.get('token');
  const res = await request.post(new URL(`/api/${method}`, url).href, { data: body, headers: { authorization: `Bearer ${token}` } });
  const json = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!json.ok) throw new Error(json.error?.message);
  return json.result;
}

test('export asks before overwriting; a picked labels file is imported by its contents', async ({ page, served, request }) => {
  const photos = path.join(served.work, 'photos');
  await makeKindImages(photos, 2, ['rings', 'checkers']);
  await api(request, served.url, 'importFolders', { paths: [photos], labelsFromFolders: true });
  await expect.poll(async () => (await api<Status>(request, served.url, 'status', {})).embedded, { timeout: 60_000 }).toBe(4);

  const out = path.join(served.work, 'labels.csv');
  writeFileSync(out, 'precious\n');
  await page.goto(served.url);
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  const panel = page.getByTestId('export');
  await panel.getByLabel('Export to (path on this computer)').fill(out);

  // First refused: the user declines, the file stays as it was.
  page.once('dialog', (d) => void d.dismiss());
  await panel.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(panel.getByRole('alert')).toContainText('already exists');
  expect(readFileSync(out, 'utf8')).toBe('precious\n');
  // Then confirmed: overwritten.
  page.once('dialog', (d) => void d.accept());
  await panel.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(panel.getByRole('status')).toContainText('Exported 4 labels');
  expect(readFileSync(out, 'utf8')).toMatch(/^path,content_hash,label\n/);

  // The picker's button is one of the app's buttons, not the browser's unstyled one.
  const look = (el: Element, pseudo: string | null) => {
    const s = getComputedStyle(el, pseudo);
    return [s.backgroundColor, s.borderRadius, s.borderColor, s.color];
  };
  const picker = await panel.getByLabel('Labels file to import').evaluate(look, '::file-selector-button');
  expect(picker).toEqual(await panel.getByRole('button', { name: 'Import labels', exact: true }).evaluate(look, null));

  const rows = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.replace(/,(rings|checkers)$/, ',picked'));
  await panel.getByLabel('Labels file to import').setInputFiles({
    name: 'labels.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(['path,content_hash,label', ...rows, '/not/here.jpg,,ghost'].join('\n')),
  });
  await panel.getByRole('button', { name: 'Import labels', exact: true }).click();
  await expect(panel.getByRole('status')).toContainText('Read 5 rows: 4 matched a photo, 4 labels added; no photo for line 6: /not/here.jpg');
});
