// The lookalike:// protocol: our UI's files under lookalike://app/, and thumbnails and
// originals of library images under lookalike://media/<kind>/<id>. Nothing else on disk is
// reachable: no file://, no arbitrary paths, no "..".
import type { EngineLike } from '../engine/engine-like.js';
import { resolveInside } from '../server/static-files.js';
import { CSP } from './window.js';

export type ProtocolAnswer = { file: string; headers: Record<string, string> } | { status: number };

export async function resolveProtocolRequest(
  url: string,
  rendererDir: string,
  engine: Pick<EngineLike, 'mediaFile'>,
): Promise<ProtocolAnswer> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { status: 400 };
  }
  if (parsed.protocol !== 'lookalike:') return { status: 400 };
  if (parsed.host === 'app') {
    const rel = parsed.pathname === '/' || parsed.pathname === '' ? 'index.html' : parsed.pathname;
    const file = resolveInside(rendererDir, rel);
    if (!file) return { status: 404 };
    return { file, headers: file.endsWith('.html') ? { 'content-security-policy': CSP } : {} };
  }
  if (parsed.host === 'media') {
    const m = /^\/(thumb|original)\/(\d+)$/.exec(parsed.pathname);
    if (!m) return { status: 404 };
    const file = await engine.mediaFile(m[1] as 'thumb' | 'original', Number(m[2]));
    return file ? { file, headers: {} } : { status: 404 };
  }
  return { status: 404 };
}
