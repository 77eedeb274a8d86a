// NumPy's .npy format, version 1.0: a magic string, a little-endian header length, and a
// Python-literal header padded with spaces so the data starts on a 64-byte boundary; then the
// rows in C order. Written in chunks so 100k × 1280 floats never sit in one buffer.
import { closeSync, openSync, writeSync } from 'node:fs';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00]); // \x93NUMPY v1.0

export function npyHeader(shape: readonly number[]): Buffer {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = MAGIC.length + 2 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const len = Buffer.alloc(2);
  len.writeUInt16LE(dict.length);
  return Buffer.concat([MAGIC, len, Buffer.from(dict, 'latin1')]);
}

/** Writes rows (each of length `dim`) as a float32 [rows, dim] array. */
export function writeNpy(file: string, rows: Iterable<Float32Array>, count: number, dim: number): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, npyHeader([count, dim]));
    const chunkRows = 1024;
    let chunk = new Float32Array(chunkRows * dim);
    let filled = 0;
    let written = 0;
    const flush = () => {
      if (filled === 0) return;
      writeSync(fd, Buffer.from(chunk.buffer, 0, filled * dim * 4));
      written += filled;
      filled = 0;
      chunk = new Float32Array(chunkRows * dim);
    };
    for (const row of rows) {
      if (row.length !== dim) throw new Error(`row of length ${row.length} in a [${count}, ${dim}] array`);
      chunk.set(row, filled * dim);
      if (++filled === chunkRows) flush();
    }
    flush();
    if (written !== count) throw new Error(`wrote ${written} rows, announced ${count}`);
  } finally {
    closeSync(fd);
  }
}

/** Reads a .npy header: dtype, order, shape, and where the data starts. */
export function parseNpyHeader(buf: Buffer): { descr: string; fortranOrder: boolean; shape: number[]; dataOffset: number } {
  if (!buf.subarray(0, 6).equals(MAGIC.subarray(0, 6))) throw new Error('not a .npy file');
  const major = buf[6];
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = 8 + lenBytes;
  const header = buf.subarray(start, start + headerLen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const order = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !order || shape === undefined) throw new Error(`bad .npy header: ${header}`);
  return {
    descr,
    fortranOrder: order === 'True',
    shape: shape.split(',').map((s) => s.trim()).filter(Boolean).map(Number),
    dataOffset: start + headerLen,
  };
}
