// What is wrong with a model's files, found without tfjs, so that a plain `status` can say it:
// each .json must parse, and each .bin must hold exactly the bytes its .json describes (a cut
// copy or a full disk leaves a truncated .bin; a hand edit, a .json that does not parse).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CNN_META_FILE, CNN_WEIGHTS_FILE, HEAD_META_FILE, HEAD_WEIGHTS_FILE, TAIL_META_FILE, TAIL_WEIGHTS_FILE, hasTail, hasWholeCnn } from './model-files.js';

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

/** A short reason ("weights.bin is truncated (…)"), or null when the files are whole. */
export function modelFilesProblem(dir: string): string | null {
  const head = readMeta<{ kind?: string; weightSpecs?: { shape: number[]; dtype?: string }[] }>(dir, HEAD_META_FILE);
  if (typeof head === 'string') return head;
  if (head.kind !== 'identity') {
    const specs = head.weightSpecs ?? [];
    const want = specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1) * (BYTES[s.dtype ?? 'float32'] ?? 4), 0);
    const problem = sizeProblem(dir, HEAD_WEIGHTS_FILE, HEAD_META_FILE, want);
    if (problem) return problem;
  }
  for (const [present, meta, bin] of [
    [hasTail(dir), TAIL_META_FILE, TAIL_WEIGHTS_FILE],
    [hasWholeCnn(dir), CNN_META_FILE, CNN_WEIGHTS_FILE],
  ] as const) {
    if (!present) continue;
    const stored = readMeta<{ weights?: { offset: number; length: number }[] }>(dir, meta);
    if (typeof stored === 'string') return stored;
    const want = Math.max(0, ...(stored.weights ?? []).map((w) => w.offset + w.length)) * 4;
    const problem = sizeProblem(dir, bin, meta, want);
    if (problem) return problem;
  }
  return null;
}

function readMeta<T>(dir: string, file: string): T | string {
  try {
    const value = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
    if (typeof value !== 'object' || value === null) return `${file} is not a model description`;
    return value as T;
  } catch (err) {
    return err instanceof SyntaxError ? `${file} is damaged: it is not valid JSON` : `${file} cannot be read: ${(err as Error).message}`;
  }
}

function sizeProblem(dir: string, bin: string, meta: string, want: number): string | null {
  let size: number;
  try {
    size = statSync(path.join(dir, bin)).size;
  } catch {
    return `${bin} is missing`;
  }
  if (size < want) return `${bin} is truncated: ${size} of the ${want} bytes ${meta} describes`;
  if (size > want) return `${bin} holds ${size} bytes where ${meta} describes ${want}`;
  return null;
}
