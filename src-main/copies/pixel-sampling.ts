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

/**
 * The refinement's inner loop without making images: the correlation with `target` (m square,
 * zero mean and unit length, as normalise() leaves it; `targetSum` its sum) of each upright
 * window of side `s` at places `xs` x `ys` (fractions of the frame, inside it), box-filtered as
 * sampleUpright does, written to out[offset + j * xs.length + i]. A window's horizontal pass is
 * shared by every place down (the refinement tries 3 x 3 places per side), and the correlation
 * is summed as the cells are made. Equals dot(normalise(sampleUpright(...)), target) but for
 * rounding (1e-7).
 */
export function uprightScores(grey: Float32Array, xs: readonly number[], ys: readonly number[], s: number, m: number, target: Float32Array, targetSum: number, out: Float64Array, offset: number): void {
  const n = SOURCE_SIDE;
  const yAxes = ys.map((y0) => packedFootprints(y0, s, m));
  let [lo, hi] = [n, 0];
  for (const a of yAxes) [lo, hi] = [Math.min(lo, a.from[0]), Math.max(hi, a.from[m - 1] + a.taps[m - 1])];
  const rows = scratch(n * m);
  for (let i0 = 0; i0 < xs.length; i0++) {
    const fx = packedFootprints(xs[i0], s, m);
    const { from: xFrom, taps: xTaps, w: xw, total: xTotal, stride } = fx;
    for (let yy = lo; yy < hi; yy++) {
      const row = yy * n;
      for (let i = 0; i < m; i++) {
        const base = row + xFrom[i];
        let sum = 0;
        for (let k = 0, wk = i * stride; k < xTaps[i]; k++, wk++) sum += xw[wk] * grey[base + k];
        rows[yy * m + i] = sum / xTotal[i];
      }
    }
    for (let j0 = 0; j0 < yAxes.length; j0++) {
      const { from: yFrom, taps: yTaps, w: yw, total: yTotal, stride: yStride } = yAxes[j0];
      let sc = 0;
      let scc = 0;
      let sct = 0;
      for (let j = 0; j < m; j++) {
        const taps = yTaps[j];
        const first = yFrom[j] * m;
        const wj = j * yStride;
        const t = yTotal[j];
        for (let i = 0; i < m; i++) {
          let sum = 0;
          for (let k = 0; k < taps; k++) sum += yw[wj + k] * rows[first + k * m + i];
          const c = sum / t;
          sc += c;
          scc += c * c;
          sct += c * target[j * m + i];
        }
      }
      out[offset + j0 * xs.length + i0] = correlation(sc, scc, sct, targetSum, m * m);
    }
  }
}

/**
 * footprints() packed in typed arrays: `taps` weights per cell, `stride` apart. Made straight
 * into them (the same weights, summed in the same order): the refinement asks for ~50 a pair, and
 * an object and an array per cell were ~7 % of a match's time.
 */
function packedFootprints(start: number, s: number, m: number): { from: Int32Array; taps: Int32Array; w: Float64Array; total: Float64Array; stride: number } {
  const n = SOURCE_SIDE;
  const step = (s * n) / m;
  const stride = Math.ceil(step) + 1; // a cell covers at most this many pixels
  const packed = { from: new Int32Array(m), taps: new Int32Array(m), w: new Float64Array(m * stride), total: new Float64Array(m), stride };
  for (let i = 0; i < m; i++) {
    const f = start * n + i * step;
    const from = Math.floor(f);
    let [taps, total] = [0, 0];
    for (let p = from; p < Math.ceil(f + step) && p < n; p++, taps++) {
      const w = Math.max(0, Math.min(p + 1, f + step) - Math.max(p, f));
      packed.w[i * stride + taps] = w;
      total += w;
    }
    packed.from[i] = from;
    packed.taps[i] = taps;
    packed.total[i] = total || 1;
  }
  return packed;
}

/** As uprightScores, for one window turned by `angle` (sampled as sample() does, from the summed-area table). */
export function turnedScore(t: Float64Array, x0: number, y0: number, s: number, m: number, angle: number, aspect: number, target: Float32Array, targetSum: number): number {
  const n = SOURCE_SIDE;
  const step = (s * n) / m;
  const c = Math.cos(angle);
  const sn = Math.sin(angle);
  const cx = (x0 + s / 2) * n;
  const cy = (y0 + s / 2) * n;
  const half = (s * n) / 2;
  let sc = 0;
  let scc = 0;
  let sct = 0;
  for (let j = 0; j < m; j++) {
    const v0 = (j + 0.5) * step - half;
    for (let i = 0; i < m; i++) {
      const u0 = (i + 0.5) * step - half;
      const u = (c * u0 * aspect - sn * v0) / aspect;
      const v = sn * u0 * aspect + c * v0;
      const ax = cx + u - step / 2;
      const ay = cy + v - step / 2;
      const bx = cx + u + step / 2;
      const by = cy + v + step / 2;
      const area = (Math.min(bx, n) - Math.max(ax, 0)) * (Math.min(by, n) - Math.max(ay, 0));
      const value = area > 0 ? (areaTo(t, bx, by) - areaTo(t, ax, by) - areaTo(t, bx, ay) + areaTo(t, ax, ay)) / area : 0;
      sc += value;
      scc += value * value;
      sct += value * target[j * m + i];
    }
  }
  return correlation(sc, scc, sct, targetSum, m * m);
}

/**
 * The correlation of cells (their sum, sum of squares, and sum of products with the target)
 * with a zero-mean, unit-length target: 0 for a flat window, as normalise() makes it all zeros.
 */
function correlation(sc: number, scc: number, sct: number, targetSum: number, cells: number): number {
  const mean = sc / cells;
  const norm = Math.sqrt(Math.max(0, scc - sc * mean));
  return norm > 1e-6 * cells ? (sct - mean * targetSum) / norm : 0;
}

let rowsBuffer = new Float64Array(0);
/** One reused buffer (a worker matches one pair at a time). */
function scratch(size: number): Float64Array {
  if (rowsBuffer.length < size) rowsBuffer = new Float64Array(size);
  return rowsBuffer;
}
