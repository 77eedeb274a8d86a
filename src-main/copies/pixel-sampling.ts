// Sampling a photo's small image for the pixel match (search/pixel-match.ts): a window of it (a
// crop, possibly turned a few degrees) box-filtered down to a small grid, so that shrinking does
// not alias. Pure arithmetic on SOURCE_SIDE-square images.

/** Side of the image kept per photo (squashed square; crops are cut from it). */
export const SOURCE_SIDE = 64;

/**
 * The upright window at (x0, y0) of side `s`, box-filtered to `m` square (as sample() does), in
 * two passes (the box filter is separable): the refinement's inner loop, several times faster.
 */
export function sampleUpright(grey: Float32Array, x0: number, y0: number, s: number, m: number): Float32Array {
  const n = SOURCE_SIDE;
  const xs = footprints(x0, s, m);
  const ys = footprints(y0, s, m);
  const rows = new Float32Array(n * m);
  const [lo, hi] = [ys[0].from, ys[m - 1].from + ys[m - 1].w.length];
  for (let yy = lo; yy < hi; yy++) {
    for (let i = 0; i < m; i++) {
      const { from, w, total } = xs[i];
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k] * grey[yy * n + from + k];
      rows[yy * m + i] = sum / total;
    }
  }
  const out = new Float32Array(m * m);
  for (let j = 0; j < m; j++) {
    const { from, w, total } = ys[j];
    for (let i = 0; i < m; i++) {
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k] * rows[(from + k) * m + i];
      out[j * m + i] = sum / total;
    }
  }
  return out;
}

/** Each of `m` cells' source pixels along one axis (first pixel, overlap weights, their sum). */
function footprints(start: number, s: number, m: number): { from: number; w: number[]; total: number }[] {
  const n = SOURCE_SIDE;
  const step = (s * n) / m;
  return Array.from({ length: m }, (_, i) => {
    const f = start * n + i * step;
    const from = Math.floor(f);
    const w: number[] = [];
    for (let p = from; p < Math.ceil(f + step) && p < n; p++) w.push(Math.max(0, Math.min(p + 1, f + step) - Math.max(p, f)));
    return { from, w, total: w.reduce((a, b) => a + b, 0) || 1 };
  });
}

/**
 * A summed-area table of an n x n image ((n+1)² entries): box averages over any window, at
 * fractional places, in four look-ups (the table is bilinear between its entries, and that is
 * exact for pixels that are constant squares).
 */
export function summedArea(grey: ArrayLike<number>): Float64Array {
  const n = SOURCE_SIDE;
  const w = n + 1;
  const t = new Float64Array(w * w);
  for (let y = 0; y < n; y++) {
    let row = 0;
    for (let x = 0; x < n; x++) {
      row += grey[y * n + x];
      t[(y + 1) * w + x + 1] = t[y * w + x + 1] + row;
    }
  }
  return t;
}

/** The table at a fractional place (source pixels, clamped to the frame). */
function areaTo(t: Float64Array, x: number, y: number): number {
  const n = SOURCE_SIDE;
  const w = n + 1;
  x = Math.min(Math.max(x, 0), n);
  y = Math.min(Math.max(y, 0), n);
  const xi = Math.min(Math.floor(x), n - 1);
  const yi = Math.min(Math.floor(y), n - 1);
  const fx = x - xi;
  const fy = y - yi;
  const i = yi * w + xi;
  return (t[i] * (1 - fx) + t[i + 1] * fx) * (1 - fy) + (t[i + w] * (1 - fx) + t[i + w + 1] * fx) * fy;
}

/**
 * The window at (x0, y0) of side `s` (fractions of the frame), box-filtered to `m` square, turned
 * by `angle` (radians, about its centre, in the photo's own proportions: `aspect` = width /
 * height; the frame is squashed square). Each cell averages the source over its footprint (an
 * upright square for a turned window: near enough at a few degrees), so shrinking does not alias.
 */
export function sample(t: Float64Array, x0: number, y0: number, s: number, m: number, angle = 0, aspect = 1): Float32Array {
  const out = new Float32Array(m * m);
  const n = SOURCE_SIDE;
  const step = (s * n) / m;
  const [c, sn] = [Math.cos(angle), Math.sin(angle)];
  const [cx, cy] = [(x0 + s / 2) * n, (y0 + s / 2) * n];
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      let u = (i + 0.5) * step - (s * n) / 2;
      let v = (j + 0.5) * step - (s * n) / 2;
      if (angle !== 0) [u, v] = [(c * u * aspect - sn * v) / aspect, sn * u * aspect + c * v];
      const [ax, ay, bx, by] = [cx + u - step / 2, cy + v - step / 2, cx + u + step / 2, cy + v + step / 2];
      const area = (Math.min(bx, n) - Math.max(ax, 0)) * (Math.min(by, n) - Math.max(ay, 0));
      out[j * m + i] = area > 0 ? (areaTo(t, bx, by) - areaTo(t, ax, by) - areaTo(t, bx, ay) + areaTo(t, ax, ay)) / area : 0;
    }
  }
  return out;
}
