// Where an export may write: nothing the user had there is overwritten unless they said so
// (`force`: CLI --force, the page's confirmation), and never a pipe, socket or device (a write
// to a FIFO would block the engine), whatever `force` says. The target is a full path (or one
// from `~`) into a folder that exists: the engine has no working folder of the user's, so a
// relative path would land wherever the engine happened to start, and nothing is created above
// what the user named.
import { statSync, readdirSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContractError, type ExportKind } from '../../src-shared/contract.js';
import { expandHome } from '../common/home-path.js';
import { idsFileFor } from './embeddings-export.js';

function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

function refuseSpecial(p: string, st: Stats): void {
  if (!st.isFile() && !st.isDirectory()) throw new ContractError(`${p} is not a regular file or folder (a pipe, socket or device): not written`, 'bad-request');
}

/**
 * The absolute path an export writes to: `~` is the home folder; a relative path is refused
 * (the CLI resolves its own against its working folder before sending), and so is a folder to
 * write into that does not exist.
 */
export function exportPath(given: string, home = os.homedir()): string {
  const expanded = expandHome(given.trim(), home);
  if (!path.isAbsolute(expanded)) {
    throw new ContractError(`"${given}" is a relative path: give the full path to export to, such as ${path.join(home, expanded)} or ~/${expanded}`, 'bad-request');
  }
  const out = path.resolve(expanded);
  const parent = path.dirname(out);
  const st = statOrNull(parent);
  if (!st) throw new ContractError(`the folder ${parent} does not exist: create it first, or export somewhere else`, 'not-found');
  if (!st.isDirectory()) throw new ContractError(`${parent} is not a folder, so ${out} cannot be written`, 'bad-request');
  return out;
}

/** Throws unless exporting `kind` to `out` overwrites nothing, or `force` allows it. */
export function checkExportTarget(kind: ExportKind, out: string, force: boolean): void {
  // (A wrongly named embeddings file is refused by its exporter, naming the extension.)
  const npy = path.extname(out).toLowerCase() === '.npy';
  const files = kind === 'labels' ? [out] : kind === 'embeddings' ? (npy ? [out, idsFileFor(out)] : []) : null;
  if (files) {
    for (const f of files) {
      const st = statOrNull(f);
      if (!st) continue;
      refuseSpecial(f, st);
      if (st.isDirectory()) throw new ContractError(`${f} is a folder; the ${kind} export writes a file`, 'bad-request');
      if (!force) throw new ContractError(`${f} already exists; export with force (CLI: --force) to overwrite it`, 'conflict');
    }
    return;
  }
  const st = statOrNull(out);
  if (!st) return;
  refuseSpecial(out, st);
  if (!st.isDirectory()) throw new ContractError(`${out} is a file; the ${kind} export writes a folder`, 'bad-request');
  if (!force && readdirSync(out).length > 0) {
    throw new ContractError(`${out} is not empty; export with force (CLI: --force) to write into it`, 'conflict');
  }
}
