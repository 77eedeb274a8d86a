// lookalike:// serves our UI and the thumbnails and originals of library images, nothing else.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { handleProtocolRequest, resolveProtocolRequest } from '../../../src-main/app/media-protocol.js';

let ui: string;
let photos: string;
const asked: { kind: string; id: number }[] = [];
// A library of two images: id 1 (a photo and its thumbnail); id 2 is a catalogued path that is
// not an image file (never served); every other id is unknown to the library.
const engine = {
  mediaFile: async (kind: 'thumb' | 'original', id: number) => {
    asked.push({ kind, id });
    if (id === 1) return kind === 'thumb' ? path.join(photos, 'thumbs', 'ab.webp') : path.join(photos, 'IMG 1.JPG');
    if (id === 2) return '/etc/passwd';
    return null;
  },
};

beforeAll(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-proto-'));
  ui = path.join(root, 'renderer');
  photos = path.join(root, 'photos');
  fs.mkdirSync(ui);
  fs.mkdirSync(path.join(photos, 'thumbs'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
  fs.writeFileSync(path.join(photos, 'IMG 1.JPG'), 'jpeg bytes');
  fs.writeFileSync(path.join(photos, 'thumbs', 'ab.webp'), 'webp bytes');
});

/** Reads the file a file:// URL names, as Electron's net.fetch would. */
const readFile = async (url: string) => new Response(fs.readFileSync(fileURLToPath(url)));

async function get(url: string, method = 'GET') {
  return handleProtocolRequest({ url, method }, ui, engine, readFile);
}

describe('lookalike:// protocol', () => {
  it('serves our page with the content security policy', async () => {
    const res = await get('lookalike://app/index.html');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves a library image and its thumbnail by id', async () => {
    const original = await get('lookalike://media/original/1');
    expect(original.status).toBe(200);
    expect(original.headers.get('content-type')).toBe('image/jpeg');
    expect(await original.text()).toBe('jpeg bytes');
    const thumb = await get('lookalike://media/thumb/1');
    expect(await thumb.text()).toBe('webp bytes');
    expect(thumb.headers.get('content-type')).toBe('image/webp');
  });

  it('refuses ids the library does not know, and ids that are not plain positive integers', async () => {
    asked.length = 0;
    for (const id of ['3', '999999', '0', '-1', '01', '1e3', '0x1', '1.0', '%31', '1%00', '99999999999999999999', '']) {
      expect((await get(`lookalike://media/thumb/${id}`)).status, id).toBe(404);
    }
    // Only the well-formed ids ever reached the engine.
    expect(asked).toEqual([
      { kind: 'thumb', id: 3 },
      { kind: 'thumb', id: 999999 },
    ]);
  });

  it('refuses a catalogued path that is not an image, and unknown kinds', async () => {
    expect((await get('lookalike://media/original/2')).status).toBe(404);
    expect((await get('lookalike://media/features/1')).status).toBe(404);
    expect((await get('lookalike://media/original/1/extra')).status).toBe(404);
  });

  it('refuses traversal out of the UI folder, plain or encoded', async () => {
    for (const url of [
      'lookalike://app/../secret.txt',
      'lookalike://app/%2e%2e/secret.txt',
      'lookalike://app/..%2fsecret.txt',
      'lookalike://app/%2e%2e%2fsecret.txt',
      'lookalike://app/%252e%252e/secret.txt',
      'lookalike://app/..%5csecret.txt',
      'lookalike://app/%00index.html',
    ]) {
      const answer = await resolveProtocolRequest(url, ui, engine);
      if ('file' in answer) expect(answer.file.startsWith(ui + path.sep), url).toBe(true);
      const res = await get(url).catch(() => new Response(null, { status: 404 }));
      expect(await res.text(), url).not.toContain('secret');
    }
  });

  it('refuses traversal through the media path to files outside the library', async () => {
    for (const url of ['lookalike://media/../../etc/passwd', 'lookalike://media/thumb/..%2f..%2fetc%2fpasswd', 'lookalike://media/original/%2e%2e']) {
      expect((await get(url)).status, url).toBe(404);
    }
  });

  it('refuses other hosts, credentials, ports, other schemes and methods other than GET', async () => {
    expect((await get('lookalike://elsewhere/index.html')).status).toBe(404);
    expect((await get('lookalike://user:pw@app/index.html')).status).toBe(400);
    expect((await get('file:///etc/passwd')).status).toBe(400);
    expect((await get('lookalike://app/index.html', 'POST')).status).toBe(405);
    const head = await get('lookalike://app/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
