// Drawing up to 100k points: each point is a few pixels written straight into an ImageData
// buffer (no path per point), then one putImageData. That keeps a full redraw at a few
// milliseconds, so panning and zooming stay fluid.
import type { ViewTransform } from './geometry';

/** '#rrggbb' → a pixel for a little-endian Uint32 view of RGBA bytes. */
export function packColour(hex: string): number {
  const v = parseInt(hex.slice(1), 16);
  return (0xff << 24) | ((v & 0xff) << 16) | (v & 0xff00) | ((v >> 16) & 0xff);
}

export interface DrawInput {
  xy: ArrayLike<number>;
  /** Packed colour per point. */
  colours: Uint32Array;
  /** Points drawn larger and on top (the selection), as indices. */
  highlighted: readonly number[];
  highlightColour: number;
  background: number;
  view: ViewTransform;
  /** Device pixels per CSS pixel. */
  dpr: number;
}

export function drawPoints(image: ImageData, input: DrawInput): void {
  const { width, height } = image;
  const px = new Uint32Array(image.data.buffer);
  px.fill(input.background);
  const n = input.xy.length / 2;
  // Bigger dots when few points, so a small library reads well; 2 device px at 100k.
  const size = Math.max(2, Math.round((n > 20000 ? 2 : n > 2000 ? 3 : n > 300 ? 5 : 7) * input.dpr));
  const { scale, tx, ty } = input.view;
  const k = scale * input.dpr;
  const ox = tx * input.dpr - size / 2;
  const oy = ty * input.dpr - size / 2;
  const dot = (i: number, s: number, colour: number) => {
    const x0 = Math.round(input.xy[2 * i] * k + ox - (s - size) / 2);
    const y0 = Math.round(input.xy[2 * i + 1] * k + oy - (s - size) / 2);
    if (x0 >= width || y0 >= height || x0 + s <= 0 || y0 + s <= 0) return;
    const xa = Math.max(0, x0), xb = Math.min(width, x0 + s);
    for (let y = Math.max(0, y0); y < Math.min(height, y0 + s); y++) px.fill(colour, y * width + xa, y * width + xb);
  };
  for (let i = 0; i < n; i++) dot(i, size, input.colours[i]);
  const big = size + Math.round(2 * input.dpr);
  for (const i of input.highlighted) dot(i, big, input.highlightColour);
  for (const i of input.highlighted) dot(i, size, input.colours[i]);
}
