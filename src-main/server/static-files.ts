// Serves the built renderer (vite build output) for browser mode.
import { createReadStream, promises as fs } from 'node:fs';
import { fsPath } from '../common/byte-paths.js';
import type { ServerResponse } from 'node:http';
import { contentType } from '../common/media-files.js';

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
