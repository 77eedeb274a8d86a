// Serves the built renderer (vite build output) for browser mode.
import { createReadStream, promises as fs } from 'node:fs';
import { fsPath } from '../library/byte-paths.js';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.heic': 'image/heic',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function contentType(file: string): string {
  return types[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Streams a file, or answers 404. `root` confines the lookup when given. */
export async function sendFile(
  res: ServerResponse,
  file: string,
  headers: Record<string, string> = {},
): Promise<void> {
  try {
    const stat = await fs.stat(fsPath(file));
    if (!stat.isFile()) throw new Error('not a file');
    res.writeHead(200, { 'content-type': contentType(file), 'content-length': stat.size, ...headers });
    createReadStream(fsPath(file)).pipe(res);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
}

/** Resolves a URL path inside `root`, refusing anything that would leave it. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}
