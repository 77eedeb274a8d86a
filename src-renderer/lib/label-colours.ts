// One colour per label, the same in the map, its legend and everywhere else.
import type { LabelCount } from '../../src-shared/contract.js';

/** Distinct, readable colours on a dark background, one per label (cycled past 12). */
export const labelPalette = [
  '#7cb4ff', '#f2b36b', '#7bd88f', '#ff7a7a', '#c792ea', '#4dd0e1',
  '#ffd54f', '#f48fb1', '#aed581', '#90a4ae', '#ff8a65', '#9fa8da',
];
export const unlabelledColour = '#5b6272';

/**
 * A label's colour follows its id (creation order), not its place in the alphabet, so adding a
 * label never recolours the others. Labels not known yet get one from their name.
 */
export function labelColour(labels: readonly LabelCount[], name: string): string {
  const id = labels.find((l) => l.name === name)?.id ?? [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) + 1;
  return labelPalette[(id - 1) % labelPalette.length];
}
