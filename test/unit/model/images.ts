// Generated test images: two visually distinct kinds, made by code (no committed binaries).
import sharp from 'sharp';

const SIZE = 160;

function fromRgb(rgb: Uint8Array, width = SIZE, height = SIZE): Promise<Buffer> {
  return sharp(Buffer.from(rgb), { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Smooth two-colour gradients in warm hues, at angle `variant`-dependent directions. */
export function smoothGradient(variant: number): Promise<Buffer> {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  const angle = (variant * 0.7) % Math.PI;
  const [c0, c1] = [
    [230, 120 + variant * 10, 40],
    [120 + variant * 8, 40, 20 + variant * 5],
  ];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const t = ((x - SIZE / 2) * Math.cos(angle) + (y - SIZE / 2) * Math.sin(angle)) / SIZE + 0.5;
      for (let c = 0; c < 3; c++) rgb[(y * SIZE + x) * 3 + c] = Math.round(c0[c] * (1 - t) + c1[c] * t);
    }
  }
  return fromRgb(rgb);
}

/** High-frequency black/cool-colour stripes or checkers, period 4-9 px. */
export function highFrequencyPattern(variant: number): Promise<Buffer> {
  const rgb = new Uint8Array(SIZE * SIZE * 3);
  const period = 4 + (variant % 6);
  const checker = variant % 2 === 0;
  const colour = [30 + variant * 10, 160, 220];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const on = checker
        ? (Math.floor(x / period) + Math.floor(y / period)) % 2 === 0
        : Math.floor((x + (variant % 3) * y) / period) % 2 === 0;
      for (let c = 0; c < 3; c++) rgb[(y * SIZE + x) * 3 + c] = on ? colour[c] : 10;
    }
  }
  return fromRgb(rgb);
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** Index of the nearest other vector by cosine similarity. */
export function nearestOther(vectors: Float32Array[], i: number): number {
  let best = -1;
  let bestSim = -Infinity;
  vectors.forEach((v, j) => {
    if (j === i) return;
    const s = cosine(vectors[i], v);
    if (s > bestSim) [best, bestSim] = [j, s];
  });
  return best;
}
