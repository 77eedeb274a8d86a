// Labels in and out. Export writes one row per image and label (CSV: path, content_hash,
// label) or one object per labelled image (JSON), so any label text round-trips. Import
// matches each row by path first, then by content hash (the file may have moved), and
// reports the rows that match no image.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContractError, type LabelImportResult } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { csvLine, parseCsv } from './csv.js';
import { libraryRows } from '../library/library-rows.js';

export interface LabelRecord {
  path: string;
  contentHash: string;
  labels: string[];
}

/** Writes the labelled images to a .csv or .json file; returns how many images. */
export function exportLabels(catalog: Catalog, out: string): number {
  const rows = libraryRows(catalog).filter((r) => r.labels.length > 0);
  const ext = path.extname(out).toLowerCase();
  if (ext === '.json') {
    const records: LabelRecord[] = rows.map((r) => ({ path: r.path, contentHash: r.contentHash, labels: r.labels }));
    writeFileSync(out, `${JSON.stringify(records, null, 2)}\n`);
  } else if (ext === '.csv') {
    const lines = [csvLine(['path', 'content_hash', 'label'])];
    for (const r of rows) for (const l of r.labels) lines.push(csvLine([r.path, r.contentHash, l]));
    writeFileSync(out, lines.join(''));
  } else {
    throw new ContractError(`labels export writes a .csv or .json file, not "${path.basename(out)}"`, 'bad-request');
  }
  return rows.length;
}

interface ImportRow {
  line: number;
  path?: string;
  hash?: string;
  labels: string[];
}

const splitLabels = (s: string) => s.split(';').map((l) => l.trim()).filter((l) => l.length > 0 && l.length <= 200);

// A labels file must look like one before any of its rows is reported back: a path or hash
// column and a label column under a header, or KEY,LABEL rows whose key is an absolute path or
// a content hash. Anything else (a config file, /proc/self/environ) is refused with what is
// wrong, never with its lines: the unmatched keys of a file that is not a labels file would
// hand its contents to whoever asked.
const HASH = /^[0-9a-f]{64}$/i;
const looksLikeKey = (s: string) => HASH.test(s) || path.isAbsolute(s) || /^[A-Za-z]:[\\/]/.test(s);

function notLabels(why: string): ContractError {
  return new ContractError(`not a labels file: ${why}`, 'bad-request');
}

function rowsFromCsv(text: string): ImportRow[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const head = rows[0].fields.map((f) => f.trim().toLowerCase());
  const col = (...names: string[]) => head.findIndex((h) => names.includes(h));
  const pathCol = col('path', 'file', 'filename');
  const hashCol = col('content_hash', 'contenthash', 'hash', 'sha256');
  const labelCol = col('label', 'labels');
  if (pathCol < 0 && hashCol < 0) {
    // No header: KEY,LABEL[,LABEL...] where KEY is a path or a content hash.
    rows.forEach((r) => {
      if (r.fields.length < 2) throw notLabels(`line ${r.line} has no comma-separated label (expected KEY,LABEL or a header with path/content_hash and label)`);
      if (!looksLikeKey(r.fields[0].trim())) throw notLabels(`line ${r.line} does not start with an absolute path or a content hash`);
    });
    return rows.map((r) => ({ line: r.line, path: r.fields[0], hash: r.fields[0], labels: r.fields.slice(1).flatMap(splitLabels) }));
  }
  if (labelCol < 0) throw notLabels('its header has no "label" column');
  return rows.slice(1).map((r) => ({
    line: r.line,
    path: pathCol >= 0 ? r.fields[pathCol] || undefined : undefined,
    hash: hashCol >= 0 ? r.fields[hashCol] || undefined : undefined,
    labels: labelCol >= 0 ? splitLabels(r.fields[labelCol] ?? '') : [],
  }));
}

function rowsFromJson(text: string): ImportRow[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: not repeated here.
    throw notLabels('not valid JSON');
  }
  if (!Array.isArray(data)) throw notLabels('a labels JSON file holds an array of {path, contentHash, labels}');
  return data.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw notLabels(`item ${i + 1} is not an object`);
    const o = item as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const labels = Array.isArray(o.labels) ? o.labels.filter((l): l is string => typeof l === 'string') : [];
    if (typeof o.label === 'string') labels.push(o.label);
    const key = text(o.path) ?? text(o.contentHash) ?? text(o.content_hash);
    if (key === undefined || !('labels' in o || 'label' in o)) throw notLabels(`item ${i + 1} lacks path or contentHash, or labels`);
    return { line: i + 1, path: text(o.path), hash: text(o.contentHash) ?? text(o.content_hash), labels: labels.flatMap(splitLabels) };
  });
}

/** Adds the labels a CSV or JSON text gives (existing labels stay); `json` when it is JSON. */
export function importLabels(catalog: Catalog, text: string, json = /^\s*\[/.test(text)): LabelImportResult {
  if (text.includes('\u0000')) throw notLabels('it holds NUL bytes (a binary file?)');
  const rows = json ? rowsFromJson(text) : rowsFromCsv(text);
  const byHash = new Map<string, number>();
  for (const r of libraryRows(catalog)) if (!byHash.has(r.contentHash)) byHash.set(r.contentHash, r.id);
  const idsByLabel = new Map<string, Set<number>>();
  const result: LabelImportResult = { rows: rows.length, matched: 0, labelled: 0, unmatched: [] };
  for (const row of rows) {
    const id = (row.path !== undefined ? catalog.imageByPath(row.path)?.id : undefined) ?? (row.hash !== undefined ? byHash.get(row.hash) : undefined);
    if (id === undefined) {
      result.unmatched.push({ line: row.line, key: row.path ?? row.hash ?? '' });
      continue;
    }
    result.matched++;
    for (const l of row.labels) {
      const set = idsByLabel.get(l) ?? new Set<number>();
      set.add(id);
      idsByLabel.set(l, set);
    }
  }
  for (const [label, ids] of idsByLabel) {
    const list = [...ids];
    const had = new Set(list.filter((id) => catalog.getImage(id)?.labels.includes(label)));
    catalog.setLabels(list, label);
    result.labelled += list.length - had.size;
  }
  return result;
}
