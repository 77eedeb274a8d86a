// One colour per label, the same in the map, its legend and everywhere else.
import type { LabelCount } from '../../src-shared/contract.js';

/** Distinct, readable colours on a dark background, for the first 12 labels. None is grey. */
export const labelPalette = [
  '#7cb4ff', '#f2b36b', '#7bd88f', '#ff7a7a', '#c792ea', '#4dd0e1',
  '#ffd54f', '#f48fb1', '#aed581', '#26a69a', '#ff8a65', '#5c6bc0',
];
/** The only grey, and darker than any label's colour: unlabelled points recede. */
export const unlabelledColour = '#4a4f5a';

/**
 * A label's colour follows its id (creation order), not its place in the alphabet, so adding a
 * label never recolours the others. Labels not known yet get one from their name.
 */
export function labelColour(labels: readonly LabelCount[], name: string): string {
  const id = labels.find((l) => l.name === name)?.id ?? [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) + 1;
  return colourNumber(id - 1);
}

/**
 * The n-th colour: the palette, then hues a golden angle apart (so neighbours in creation order
 * differ most), saturated so that none reads as the unlabelled grey, two lightnesses alternating.
 */
export function colourNumber(n: number): string {
  if (n < labelPalette.length) return labelPalette[n];
  const hue = (n * 137.508) % 360;
  const light = n % 2 === 0 ? 0.62 : 0.74;
  return hslHex(hue, 0.75, light);
}

function hslHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (k: number) => {
    const t = (k + h / 30) % 12;
    const v = l - a * Math.max(-1, Math.min(t - 3, 9 - t, 1));
    return Math.round(v * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
