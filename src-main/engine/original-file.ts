// The original of a library photo, served to the grid's viewer (browser mode's
// /media/original/<id> and the desktop app's lookalike://media/original/<id>, both through
// Engine.mediaFile): only while its path still holds the bytes that were imported. A path
// replaced since by another file, or by a link to one (/etc/shadow), is refused with a reason,
// never served. The hash is checked once per file version: a verified path is remembered with
// its device, inode, size and times, and hashed again only when one of them changes.
import fs from 'node:fs/promises';
import { ContractError } from '../../src-shared/contract.js';
import { fsPath } from '../common/byte-paths.js';
import { hashFile } from '../common/content-hash.js';

/** Verified versions remembered (a grid's viewer opens a few hundred originals at most). */
const REMEMBERED = 2048;

export class OriginalFiles {
  private readonly verified = new Map<string, string>();

  /** `file` when it still holds the bytes hashed as `contentHash`; throws a ContractError why not. */
  async check(id: number, file: string, contentHash: string): Promise<string> {
    let version: string;
    try {
      const st = await fs.stat(fsPath(file), { bigint: true }); // stat opens nothing: a FIFO cannot block it
      if (!st.isFile()) throw new ContractError(`the original of image #${id} is no longer a photo file: ${file} is now something else; import its folder again`, 'conflict');
      version = `${contentHash}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch (err) {
      throw describe(err, id, file);
    }
    if (this.verified.get(file) === version) return file;
    let hash: string;
    try {
      hash = (await hashFile(fsPath(file))).hash;
    } catch (err) {
      throw describe(err, id, file);
    }
    if (hash !== contentHash) {
      this.verified.delete(file);
      throw new ContractError(
        `${file} no longer holds the photo imported as image #${id} (it was replaced or edited since); import its folder again`,
        'conflict',
      );
    }
    if (this.verified.size >= REMEMBERED) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(file, version);
    return file;
  }
}

function describe(err: unknown, id: number, file: string): ContractError {
  if (err instanceof ContractError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'ENOENT') return new ContractError(`the original of image #${id} is gone: ${file} no longer exists`, 'not-found');
  if (code === 'EACCES' || code === 'EPERM') return new ContractError(`the original of image #${id} cannot be read: permission denied on ${file}`, 'conflict');
  return new ContractError(`the original of image #${id} cannot be read (${code || (err as Error)?.message || 'error'}): ${file}`, 'conflict');
}
