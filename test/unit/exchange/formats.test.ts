// The file formats exports write: CSV that survives commas, quotes and line breaks in paths
// and labels, and NumPy .npy v1.0 headers that NumPy accepts (aligned to 64 bytes).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvLine, parseCsv } from '../../../src-main/exchange/csv.js';
import { npyHeader, parseNpyHeader, writeNpy } from '../../../src-main/exchange/npy.js';

describe('csv', () => {
  it('round-trips awkward fields and tells the line each row starts on', () => {
    const rows = [
      ['path', 'label'],
      ['/photos/a, b.jpg', 'say "cheese"'],
      ['/photos/multi\nline.jpg', ' padded '],
      ['plain', ''],
    ];
    const text = rows.map(csvLine).join('');
    const parsed = parseCsv(text);
    expect(parsed.map((r) => r.fields)).toEqual(rows);
    expect(parsed.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('accepts CRLF, a byte-order mark and blank lines', () => {
    expect(parseCsv('\ufeffa,b\r\n\r\nc,d\r\n').map((r) => r.fields)).toEqual([['a', 'b'], ['c', 'd']]);
  });
});

describe('npy', () => {
  it('writes a v1.0 header whose length makes the data start on a 64-byte boundary', () => {
    for (const shape of [[0, 3], [7, 128], [100000, 1280], [5]]) {
      const h = npyHeader(shape);
      expect(h.length % 64).toBe(0);
      expect(h.subarray(0, 8).equals(Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]))).toBe(true);
      expect(h[h.length - 1]).toBe(0x0a);
      const parsed = parseNpyHeader(h);
      expect(parsed).toEqual({ descr: '<f4', fortranOrder: false, shape, dataOffset: h.length });
    }
  });

  it('writes rows in C order, across chunk boundaries', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lookalike-npy-'));
    try {
      const rows = Array.from({ length: 2500 }, (_, i) => Float32Array.from([i, -i, i / 3]));
      const file = path.join(dir, 'x.npy');
      writeNpy(file, rows, rows.length, 3);
      const buf = readFileSync(file);
      const { shape, dataOffset } = parseNpyHeader(buf);
      expect(shape).toEqual([2500, 3]);
      const data = new Float32Array(buf.buffer.slice(buf.byteOffset + dataOffset, buf.byteOffset + buf.length));
      expect(data.length).toBe(7500);
      expect(Array.from(data.subarray(3 * 2400, 3 * 2401))).toEqual(Array.from(rows[2400]));
      expect(() => writeNpy(file, rows, 10, 3)).toThrow(/announced/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
