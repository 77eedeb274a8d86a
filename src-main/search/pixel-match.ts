// The duplicates view's second opinion: do two photos' pixels line up? The near-duplicate
// descriptor cannot tell simple, low-texture images apart (two different Fashion-MNIST shirts,
// two icons or two text pages score 0.99 and more: the blank background dominates it), while
// pixels can, once brightness and contrast are taken out. An edited copy keeps its layout up to
// a quarter turn, a mirror image or a crop, so each photo is also tried turned and mirrored (8
// ways) and as a few crops of the other (off-centre and centred, keeping 76 to 100 % of each side).
//
// Two steps: the turn and crop that line up best are found on a coarse grid (MATCH_SIDE square,
// forgiving: a crop that sits between the places tried still lines up), then that alignment is
// refined and judged on a finer grid (FINE_SIDE square), which tells apart different pictures
// that only differ in detail (two Fashion-MNIST trousers line up at 0.98 on the coarse grid).
//
// Pure arithmetic on small images (the grid thumbnail shrunk to SOURCE_SIDE square);
// bench/duplicates-mixed.ts measured the figures.

/** Side of the image kept per photo (squashed square; crops are cut from it). */
export const SOURCE_SIDE = 64;
/** Side of the coarse grid the alignment is found on. */
export const MATCH_SIDE = 16;
/** Side of the fine grid the aligned pair is judged on. */
export const FINE_SIDE = 32;
/** Coarse scores below this are not refined: far below any confirmed pair, and refining costs ~10x the coarse match. */
const REFINE_FROM = 0.85;
/** First shift (fraction of the frame) and scaling the refinement tries around the coarse crop. */
const FINE_SHIFT = 0.05;
const FINE_SCALE = 0.04;
/**
 * Sides kept by the crops tried, and where each crop may sit (0 = left/top, 1 = right/bottom).
 * Five places a side instead of three: copy pairs found 0.400 instead of 0.367, pair precision
 * 0.9897 instead of 0.9902 (bench/duplicates-mixed.ts), at twice the coarse cost: not taken.
 */
const CROP_SCALES = [0.94, 0.85, 0.76];
const CROP_PLACES = [0, 0.5, 1];

/**
 * Least mean colourfulness (|R-G| and |(R+G)/2-B| per pixel, 0-255 scale) for a photo's colours
 * to count: below it the photo is grey (or a grey copy), and only brightness is compared.
 */
export const COLOURFUL = 6;

/** One way of looking at a photo: brightness zero-mean and unit length, colour unit length. */
interface View {
  /** The window it shows (fractions of the frame); a turn shows the whole frame. */
  x0: number;
  y0: number;
  side: number;
  turn: number;
  lum: Float32Array;
  /** R-G then (R+G)/2-B, MATCH_SIDE² each, unit length (all zeros for a grey photo). */
  chroma: Float32Array;
}

/** A photo as the match sees it. */
export interface PixelViews {
  /** The whole frame turned and mirrored: 8 views. */
  turns: View[];
  /** The whole frame and its crops (upright): 1 + 9 per crop scale. */
  crops: View[];
  colourful: boolean;
  /** Brightness at SOURCE_SIDE, for the refinement. */
  source: Float32Array;
  /** The whole frame on the fine grid, turned and mirrored: 8 views. */
  fineTurns: Float32Array[];
}

/** The views of a SOURCE_SIDE x SOURCE_SIDE RGB image (row-major, interleaved, 0-255). */
export function pixelViews(rgb: ArrayLike<number>): PixelViews {
  const n = SOURCE_SIDE * SOURCE_SIDE;
  if (rgb.length !== 3 * n) throw new RangeError(`expected ${SOURCE_SIDE}x${SOURCE_SIDE} RGB values, got ${rgb.length}`);
  const lum = new Float32Array(n);
  const rg = new Float32Array(n);
  const yb = new Float32Array(n);
  let colour = 0;
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]];
    lum[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    rg[i] = r - g;
    yb[i] = (r + g) / 2 - b;
    colour += (Math.abs(rg[i]) + Math.abs(yb[i])) / n;
  }
  const colourful = colour >= COLOURFUL;
  const view = (x0: number, y0: number, s: number): View => ({
    x0,
    y0,
    side: s,
    turn: 0,
    lum: normalise(sample(lum, x0, y0, s, MATCH_SIDE)),
    chroma: colourful ? unit(concat(sample(rg, x0, y0, s, MATCH_SIDE), sample(yb, x0, y0, s, MATCH_SIDE))) : new Float32Array(2 * MATCH_SIDE * MATCH_SIDE),
  });
  const full = view(0, 0, 1);
  const crops = [full];
  for (const s of CROP_SCALES) for (const y of CROP_PLACES) for (const x of CROP_PLACES) crops.push(view(x * (1 - s), y * (1 - s), s));
  const turns = [full];
  const m = MATCH_SIDE * MATCH_SIDE;
  for (let t = 1; t < 8; t++) {
    turns.push({ ...full, turn: t, lum: dihedral(full.lum, t, MATCH_SIDE), chroma: concat(dihedral(full.chroma.subarray(0, m), t, MATCH_SIDE), dihedral(full.chroma.subarray(m), t, MATCH_SIDE)) });
  }
  const fine = normalise(sample(lum, 0, 0, 1, FINE_SIDE));
  const fineTurns = [fine];
  for (let t = 1; t < 8; t++) fineTurns.push(dihedral(fine, t, FINE_SIDE));
  return { turns, crops, colourful, source: lum, fineTurns };
}

/**
 * How well two photos' pixels line up. `brightness`, in [-1, 1]: the best correlation of one
 * photo's whole frame (turned or mirrored any way) with the other's whole frame or a crop of
 * it, both ways round; 1 for the same picture; copies that are re-encoded, resized, greyed,
 * brightened, turned or cropped score near 1, different pictures lower. `colour`: the cosine
 * of the two photos' colour maps where brightness lines up best (1 when either is grey): a
 * red and a green square at one place are different pictures.
 */
export function pixelMatch(a: PixelViews, b: PixelViews): { brightness: number; colour: number } {
  let best = -1;
  let at: [PixelViews, View, PixelViews, View] = [a, a.crops[0], b, b.turns[0]];
  for (const [x, y] of [[a, b], [b, a]] as const) {
    for (const c of x.crops) {
      for (const t of y.turns) {
        const s = dot(c.lum, t.lum);
        if (s > best) [best, at] = [s, [x, c, y, t]];
      }
    }
  }
  const [x, crop, y, turn] = at;
  // Colours compared where brightness lines up best; a grey photo (or grey copy) has none to compare.
  const colour = a.colourful && b.colourful ? dot(crop.chroma, turn.chroma) : 1;
  if (best < REFINE_FROM) return { brightness: best, colour };
  // The fine grid, around the coarse crop: a small search over shifts and scalings, each
  // round around the best so far with half the steps (27 + 27 + 27 windows).
  const target = y.fineTurns[turn.turn];
  const score = (x0: number, y0: number, side: number) => {
    const s = Math.min(1, side);
    return dot(normalise(sample(x.source, Math.min(Math.max(x0, 0), 1 - s), Math.min(Math.max(y0, 0), 1 - s), s, FINE_SIDE)), target);
  };
  let fine = -1;
  let [bx, by, bs] = [crop.x0, crop.y0, crop.side];
  for (let round = 0, shift = FINE_SHIFT, scale = FINE_SCALE; round < 3; round++, shift /= 2, scale /= 2) {
    const [cx, cy, cs] = [bx, by, bs];
    for (const k of [1 - scale, 1, 1 + scale]) {
      for (const dy of [-shift, 0, shift]) {
        for (const dx of [-shift, 0, shift]) {
          const f = score(cx + dx, cy + dy, cs * k);
          if (f > fine) [fine, bx, by, bs] = [f, cx + dx, cy + dy, Math.min(1, cs * k)];
        }
      }
    }
  }
  return { brightness: fine, colour };
}

/** The window at (x0, y0) of side `s` (fractions of the frame), box-filtered to `m` square. */
function sample(grey: ArrayLike<number>, x0: number, y0: number, s: number, m: number): Float32Array {
  const out = new Float32Array(m * m);
  const n = SOURCE_SIDE;
  // Each output cell averages the source over its own footprint (box filter), so shrinking
  // does not alias; the footprint is about n*s/MATCH_SIDE source pixels wide.
  const step = (s * n) / m;
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) {
      const fx = x0 * n + i * step;
      const fy = y0 * n + j * step;
      let sum = 0;
      let weight = 0;
      for (let yy = Math.floor(fy); yy < Math.ceil(fy + step) && yy < n; yy++) {
        const wy = Math.min(yy + 1, fy + step) - Math.max(yy, fy);
        for (let xx = Math.floor(fx); xx < Math.ceil(fx + step) && xx < n; xx++) {
          const w = wy * (Math.min(xx + 1, fx + step) - Math.max(xx, fx));
          if (w <= 0) continue;
          sum += w * grey[yy * n + xx];
          weight += w;
        }
      }
      out[j * m + i] = weight > 0 ? sum / weight : 0;
    }
  }
  return out;
}

/** One of the 8 turns and mirrors of an m x m square (bit 0 mirror, bit 1 transpose, bit 2 half turn). */
function dihedral(v: Float32Array, t: number, m: number): Float32Array {
  const out = new Float32Array(v.length);
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      let u = t & 1 ? m - 1 - x : x;
      let w = y;
      if (t & 2) [u, w] = [w, u];
      if (t & 4) [u, w] = [m - 1 - u, m - 1 - w];
      out[y * m + x] = v[w * m + u];
    }
  }
  return out;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function unit(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v));
  return norm > 0 ? v.map((x) => x / norm) : v;
}

/** Zero mean, unit length (a flat image stays all zeros: it matches nothing). */
function normalise(v: Float32Array): Float32Array {
  let mean = 0;
  for (const x of v) mean += x / v.length;
  let ss = 0;
  const out = v.map((x) => x - mean);
  for (const x of out) ss += x * x;
  const norm = Math.sqrt(ss);
  return norm > 1e-6 * v.length ? out.map((x) => x / norm) : new Float32Array(v.length);
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
