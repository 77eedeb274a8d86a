// Files that must never be seen half-written (model weights, index sidecars) are written to a
// temp file beside the target and renamed over it: a rename within a folder is atomic, so a
// killed process leaves either the old file or the new one. They are library files: 0600.
import { renameSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { privateFile } from './private-files.js';

const tempName = (file: string) => `${file}.tmp-${process.pid}`;

export async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = tempName(file);
  await writeFile(tmp, data, privateFile);
  await rename(tmp, file);
}

export function writeAtomicSync(file: string, data: string | Buffer): void {
  const tmp = tempName(file);
  writeFileSync(tmp, data, privateFile);
  renameSync(tmp, file);
}
