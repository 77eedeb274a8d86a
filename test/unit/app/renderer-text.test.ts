// What the renderer makes of typed paths, epoch axes and decoder errors (pure functions).
import { describe, expect, it } from 'vitest';
import { parseFolderInput } from '../../../src-renderer/lib/folder-input.js';
import { integerTicks } from '../../../src-renderer/lib/ticks.js';
import { fileSize } from '../../../src-renderer/lib/format.js';
import { colourNumber, labelColour, unlabelledColour } from '../../../src-renderer/lib/label-colours.js';

describe('the folder box', () => {
  it('strips quotes a file manager adds and keeps ~ for the engine', () => {
    expect(parseFolderInput(`"/home/me/My Photos"\n'~/Pictures'\n`)).toEqual({ ok: true, paths: ['/home/me/My Photos', '~/Pictures'] });
    expect(parseFolderInput('C:\\Users\\me\\Pictures')).toEqual({ ok: true, paths: ['C:\\Users\\me\\Pictures'] });
  });

  it('refuses a relative path with the reason and an example', () => {
    const r = parseFolderInput('Pictures/2024');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/“Pictures\/2024” is not a full path.*\/home\/me\/Pictures/);
  });
});

describe('epoch ticks', () => {
  it('are whole numbers from 0 to the last epoch, evenly spaced', () => {
    expect(integerTicks(5)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(integerTicks(20)).toEqual([0, 5, 10, 15, 20]);
    expect(integerTicks(1)).toEqual([0, 1]);
    for (const n of [3, 7, 13, 50, 999]) {
      const t = integerTicks(n);
      expect(t[0]).toBe(0);
      expect(t.at(-1)).toBe(n);
      expect(t.every(Number.isInteger)).toBe(true);
      expect(t.length).toBeLessThanOrEqual(7);
    }
  });
});

describe('file sizes', () => {
  it('read in the units people use', () => {
    expect(fileSize(512)).toBe('512 B');
    expect(fileSize(23_456)).toMatch(/^23 kB$/);
    expect(fileSize(2_400_000)).toMatch(/^2[.,]4 MB$/);
  });
});

describe('label colours', () => {
  it('stay with their label when a label is added, even one that sorts first', () => {
    const before = [
      { id: 1, name: 'cats', count: 3 },
      { id: 2, name: 'dogs', count: 2 },
    ];
    const after = [{ id: 3, name: 'aardvarks', count: 1 }, ...before];
    for (const l of before) expect(labelColour(after, l.name)).toBe(labelColour(before, l.name));
    const colours = after.map((l) => labelColour(after, l.name));
    expect(new Set(colours).size).toBe(3);
  });

  const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const distance = (a: string, b: string) => Math.hypot(...rgb(a).map((v, i) => v - rgb(b)[i]));

  it('differ for the first 40 labels, and none is a grey like the unlabelled points', () => {
    const colours = Array.from({ length: 40 }, (_, n) => colourNumber(n));
    expect(colours.every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
    expect(new Set(colours).size).toBe(40);
    for (const c of colours) {
      const [r, g, b] = rgb(c);
      // Saturated (not grey), and far from the unlabelled grey.
      expect(Math.max(r, g, b) - Math.min(r, g, b), c).toBeGreaterThan(60);
      expect(distance(c, unlabelledColour), c).toBeGreaterThan(100);
    }
    // The 13th label no longer reuses the first one's colour; neighbours in creation order differ.
    expect(colourNumber(12)).not.toBe(colourNumber(0));
    for (let n = 12; n < 39; n++) expect(distance(colourNumber(n), colourNumber(n + 1)), `${n}`).toBeGreaterThan(60);
  });
});
