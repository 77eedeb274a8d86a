// The lookalike:// protocol: our UI's files under lookalike://app/, and thumbnails and
// originals of library images under lookalike://media/<kind>/<id>. Nothing else on disk is
// reachable: no file://, no arbitrary paths, no "..", no image id the library does not know.
import path from 'node:path';

import type { EngineLink } from '../link/engine-link.js';
import { fileUrlOf } from '../common/byte-paths.js';
import { contentType, IMAGE_EXTENSIONS, resolveInside } from '../common/media-files.js';
import { CSP } from './window.js';
import { channel, ContractError, parseMediaTail } from '../../src-shared/contract.js';

export type ProtocolAnswer = { file: string; headers: Record<string, string> } | { status: number };

export async function resolveProtocolRequest(
  url: string,
  rendererDir: string,
  engine: Pick<EngineLink, 'mediaFile'>,
  method = 'GET',
): Promise<ProtocolAnswer> {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405 };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { status: 400 };
  }
  if (parsed.protocol !== `${channel.protocolScheme}:`) return { status: 400 };
  if (parsed.username || parsed.password || parsed.port) return { status: 400 };
  if (parsed.host === channel.protocolAppHost) {
    const rel = parsed.pathname === '/' || parsed.pathname === '' ? 'index.html' : parsed.pathname;
    const file = resolveInside(rendererDir, rel);
    if (!file) return { status: 404 };
    return { file, headers: file.endsWith('.html') ? { 'content-security-policy': CSP } : {} };
  }
  if (parsed.host === channel.protocolMediaHost) {
    const media = parseMediaTail(parsed.pathname.slice(1));
    if (!media) return { status: 404 };
    let file: string | null;
    try {
      file = await engine.mediaFile(media.kind, media.id);
    } catch (err) {
      // 409: an original that no longer holds the imported photo (engine/original-file.ts).
      return { status: err instanceof ContractError && err.code === 'conflict' ? 409 : 404 };
    }
    // The engine answers only for library images; an answer that is not an image file is
    // refused all the same, so a catalog entry can never expose another kind of file.
    if (!file || !IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) return { status: 404 };
    const type = contentType(file);
    const headers: Record<string, string> = { 'cache-control': 'private, max-age=3600' };
    if (type.startsWith('image/')) headers['content-type'] = type;
    return { file, headers };
  }
  return { status: 404 };
}

export interface ProtocolRequestLike {
  url: string;
  method: string;
}

/** Reads a file by its file:// URL (Electron's net.fetch in the app). */
export type FileFetcher = (fileUrl: string) => Promise<Response>;

/** The protocol handler: answers a request with a file of ours or a bare status. */
export async function handleProtocolRequest(
  request: ProtocolRequestLike,
  rendererDir: string,
  engine: Pick<EngineLink, 'mediaFile'>,
  fetchFile: FileFetcher,
): Promise<Response> {
  const answer = await resolveProtocolRequest(request.url, rendererDir, engine, request.method);
  if ('status' in answer) return new Response(null, { status: answer.status });
  const res = await fetchFile(fileUrlOf(answer.file));
  const headers = new Headers(res.headers);
  headers.set('x-content-type-options', 'nosniff');
  for (const [k, v] of Object.entries(answer.headers)) headers.set(k, v);
  return new Response(request.method === 'HEAD' ? null : res.body, { status: res.status, headers });
}
