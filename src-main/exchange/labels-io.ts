// Labels in and out. Export writes one row per image and label (CSV: path, content_hash,
// label) or one object per labelled image (JSON), so any label text round-trips. Import
// matches each row by path first, then by content hash (the file may have moved), and
// reports the rows that match no image.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ContractError, type LabelImportResult } from '../../src-shared/contract.js';
import type { Catalog } from '../library/catalog.js';
import { csvLine, parseCsv } from './csv.js';
import { libraryRows } from './library-rows.js';

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
    return rows.map((r) => ({ line: r.line, path: r.fields[0], hash: r.fields[0], labels: r.fields.slice(1).flatMap(splitLabels) }));
  }
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
  } catch (err) {
    throw new ContractError(`not valid JSON: ${(err as Error).message}`, 'bad-request');
  }
  if (!Array.isArray(data)) throw new ContractError('a labels JSON file holds an array of {path, contentHash, labels}', 'bad-request');
  return data.map((item: unknown, i) => {
    const o = (item ?? {}) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
    const labels = Array.isArray(o.labels) ? o.labels.filter((l): l is string => typeof l === 'string') : [];
    if (typeof o.label === 'string') labels.push(o.label);
    return { line: i + 1, path: text(o.path), hash: text(o.contentHash) ?? text(o.content_hash), labels: labels.flatMap(splitLabels) };
  });
}

/** Adds the labels a CSV or JSON file gives (existing labels stay). */
export function importLabels(catalog: Catalog, source: { path?: string; text?: string }): LabelImportResult {
  let text = source.text;
  let json = false;
  if (source.path !== undefined) {
    try {
      text = readFileSync(source.path, 'utf8');
    } catch (err) {
      throw new ContractError(`cannot read ${source.path}: ${(err as Error).message}`, 'not-found');
    }
    json = path.extname(source.path).toLowerCase() === '.json';
  } else {
    json = /^\s*\[/.test(text ?? '');
  }
  const rows = json ? rowsFromJson(text ?? '') : rowsFromCsv(text ?? '');
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
