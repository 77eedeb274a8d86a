// The duplicates view's second opinion: do two photos' pixels line up? The near-duplicate
// descriptor cannot tell simple, low-texture images apart (two different Fashion-MNIST shirts,
// two icons or two text pages score 0.99 and more: the blank background dominates it), while
// pixels can, once brightness and contrast are taken out. An edited copy keeps its layout up to
// a quarter turn, a mirror image or a crop, so each photo is also tried turned and mirrored (8
// ways) and as a few crops of the other (off-centre and centred, keeping 76 to 100 % of each side,
// and centred ones turned a few degrees: a straightened copy). A caption or stamp spoils a band of
// rows, so a second score leaves out the rows that differ most.
//
// Two steps: the turn and crop that line up best are found on a coarse grid (MATCH_SIDE square,
// forgiving: a crop that sits between the places tried still lines up), then that alignment is
// refined and judged on a finer grid (FINE_SIDE square), which tells apart different pictures
// that only differ in detail (two Fashion-MNIST trousers line up at 0.98 on the coarse grid).
// The coarse grid finds a crop's place better than its side (a 75 % crop lines up best as an
// 85 % one, and the refinement cannot walk that far), so the best alignment of each side is
// refined, not only the best one.
//
// Pure arithmetic on small images (the grid thumbnail shrunk to SOURCE_SIDE square);
// bench/duplicates-mixed.ts measured the figures.

import { sample, sampleUpright, SOURCE_SIDE, summedArea, turnedScore, uprightScores } from './pixel-sampling.js';

export { SOURCE_SIDE };
/** Side of the coarse grid the alignment is found on. */
export const MATCH_SIDE = 16;
/** Side of the fine grid the aligned pair is judged on. */
export const FINE_SIDE = 32;
/** Coarse scores below this are not refined: far below any confirmed pair, and refining costs ~10x the coarse match. */
const REFINE_FROM = 0.85;
/** Families of crops whose coarse best is this far below the best one are not refined. */
const REFINE_MARGIN = 0.05;
/** At most this many families are refined (the best coarse ones). */
const REFINE_FAMILIES = 2;
/** First shift (fraction of the frame), scaling and turn (radians) the refinement tries around the coarse crop. */
const FINE_SHIFT = 0.05;
const FINE_SCALE = 0.04;
const FINE_ANGLE = (1.5 * Math.PI) / 180;
/**
 * Sides kept by the crops tried, and where each crop may sit (0 = left/top, 1 = right/bottom).
 * bench/duplicates-pixel-study.ts, 75 % crops confirmed with their originals: three places a
 * side and only the best alignment refined 0.21; five places and each side's best refined 0.70
 * (straightened copies 0.67 either way; refining each side costs about twice the time).
 */
const CROP_SCALES = [0.94, 0.85, 0.76];
const CROP_PLACES = [0, 0.25, 0.5, 0.75, 1];
/**
 * Straightened copies: turned a few degrees, then cut to drop the corners the turn filled. Each
 * is tried as a centred window of these sides turned either way by these angles.
 */
const STRAIGHTENED_SCALES = [0.85, 0.76];
const STRAIGHTENED_ANGLES = [4, 8].map((d) => (d * Math.PI) / 180);
/**
 * Rows of the fine grid (of FINE_SIDE) left out of `kept`: those where the two pictures differ
 * most. A caption or a stamp covers a band of rows; different pictures differ all over, so
 * dropping whole rows lifts them less than dropping their worst cells anywhere would (the 12 %
 * worst cells: pair precision 0.78 on bench/duplicates-pixel-study.ts).
 */
export const TRIM_ROWS = 5;
const COARSE_TRIM_ROWS = 3;

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
  /** The window's own turn (radians, a few degrees: a straightened copy). */
  angle: number;
  turn: number;
  lum: Float32Array;
  /**
   * R-G then (R+G)/2-B, MATCH_SIDE² each, unit length (all zeros for a grey photo). Made when
   * first asked: colours are compared at one alignment a pair, so most views never need theirs.
   */
  chroma: () => Float32Array;
}

/** A photo as the match sees it. */
export interface PixelViews {
  /** The whole frame turned and mirrored: 8 views. */
  turns: View[];
  /** The whole frame and its crops (upright, and a few straightened ones). */
  crops: View[];
  /** The crops' and the turns' brightness, one after another (MATCH_SIDE² each): the coarse search runs over these. */
  cropLum: Float32Array;
  turnLum: Float32Array;
  /** Each crop's family (its side, upright or straightened), numbered in the order of `crops`. */
  cropFamily: Uint8Array;
  colourful: boolean;
  /** Width / height of the photo (its frame is squashed square). */
  aspect: number;
  /** Brightness at SOURCE_SIDE, and its summed-area table (for turned windows), for the refinement. */
  source: Float32Array;
  sourceArea: Float64Array;
  /** The whole frame on the fine grid, turned and mirrored: 8 views. */
  fineTurns: Float32Array[];
  /**
   * How detailed the photo is: the share of its brightness's variation (on the fine grid) that
   * is not its 3x3 neighbourhood's mean. Mixed library: wallpapers 0.01-0.36 (median 0.055),
   * Fashion-MNIST shots and flat icons 0.03-0.14, text pages 0.4-0.9.
   */
  detail: number;
  /**
   * The spread of its brightness (standard deviation, 0-255 scale). Mixed library: Fashion-MNIST
   * shots 22-123 (a garment on black), paper textures 0-13, wallpapers and icons anywhere.
   */
  contrast: number;
}

/** The views of a SOURCE_SIDE x SOURCE_SIDE RGB image (row-major, interleaved, 0-255) of a photo `aspect` wide per unit high. */
export function pixelViews(rgb: ArrayLike<number>, aspect = 1): PixelViews {
  const { lum, rg, yb, colour } = channelsOf(rgb);
  const colourful = colour >= COLOURFUL;
  const [tl, trg, tyb] = [summedArea(lum), summedArea(rg), summedArea(yb)];
  const view = (x0: number, y0: number, s: number, angle = 0): View => ({
    x0,
    y0,
    side: s,
    angle,
    turn: 0,
    lum: normalise(sample(tl, x0, y0, s, MATCH_SIDE, angle, aspect)),
    chroma: once(() => (colourful ? unit(concat(sample(trg, x0, y0, s, MATCH_SIDE, angle, aspect), sample(tyb, x0, y0, s, MATCH_SIDE, angle, aspect))) : new Float32Array(2 * MATCH_SIDE * MATCH_SIDE))),
  });
  const full = view(0, 0, 1);
  const crops = [full];
  for (const s of CROP_SCALES) for (const y of CROP_PLACES) for (const x of CROP_PLACES) crops.push(view(x * (1 - s), y * (1 - s), s));
  for (const s of STRAIGHTENED_SCALES) for (const a of STRAIGHTENED_ANGLES) for (const sign of [-1, 1]) crops.push(view((1 - s) / 2, (1 - s) / 2, s, sign * a));
  const turns = [full];
  const m = MATCH_SIDE * MATCH_SIDE;
  for (let t = 1; t < 8; t++) {
    turns.push({ ...full, turn: t, lum: dihedral(full.lum, t, MATCH_SIDE), chroma: once(() => concat(dihedral(full.chroma().subarray(0, m), t, MATCH_SIDE), dihedral(full.chroma().subarray(m), t, MATCH_SIDE))) });
  }
  const fine = normalise(sample(tl, 0, 0, 1, FINE_SIDE));
  const fineTurns = [fine];
  for (let t = 1; t < 8; t++) fineTurns.push(dihedral(fine, t, FINE_SIDE));
  const families = new Map<string, number>();
  const cropFamily = Uint8Array.from(crops, (c) => {
    const key = `${c.side}:${c.angle !== 0}`;
    if (!families.has(key)) families.set(key, families.size);
    return families.get(key)!;
  });
  // Packed one after another for the coarse search; the views read their part of it.
  const pack = (views: View[]) => {
    const out = new Float32Array(views.length * m);
    views.forEach((v, k) => {
      out.set(v.lum, k * m);
      v.lum = out.subarray(k * m, (k + 1) * m);
    });
    return out;
  };
  return { turns, crops, cropLum: pack(crops), turnLum: pack(turns), cropFamily, colourful, aspect, source: lum, sourceArea: tl, fineTurns, detail: energy(highPass(fine)), contrast: spread(lum) };
}

/** Brightness, R-G and (R+G)/2-B of each pixel of a SOURCE_SIDE square RGB image, and its mean colourfulness. */
function channelsOf(rgb: ArrayLike<number>): { lum: Float32Array; rg: Float32Array; yb: Float32Array; colour: number } {
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
  return { lum, rg, yb, colour };
}

/**
 * A photo's layout: its whole frame's brightness on the coarse grid (MATCH_SIDE square),
 * zero-mean and unit length, as the match's upright whole-frame view. Copies the descriptor
 * ranks below many look-alikes (a simple image among hundreds like it) are found by it:
 * `layoutTurns` gives the 8 turns and mirrors to search an index of layouts with.
 */
export function layoutOf(rgb: ArrayLike<number>): Float32Array {
  return normalise(sample(summedArea(channelsOf(rgb).lum), 0, 0, 1, MATCH_SIDE));
}

/** The 8 turns and mirrors of a layout (the first is the layout itself). */
export function layoutTurns(layout: Float32Array): Float32Array[] {
  return Array.from({ length: 8 }, (_, t) => (t === 0 ? layout : dihedral(layout, t, MATCH_SIDE)));
}

/**
 * How well two photos' pixels line up. `brightness`, in [-1, 1]: the best correlation of one
 * photo's whole frame (turned or mirrored any way) with the other's whole frame or a crop of
 * it (upright, or straightened: turned a few degrees), both ways round; 1 for the same
 * picture; copies that are re-encoded, resized, greyed, brightened, turned or cropped score
 * near 1, different pictures lower. `kept`: the same without the rows that differ most, near 1
 * for a captioned copy too. `colour`:
 * the cosine of the two photos' colour maps where brightness lines up best (1 when either is
 * grey): a red and a green square at one place are different pictures.
 */
export interface PixelMatch {
  brightness: number;
  /** The brightness match leaving out the TRIM_ROWS rows of the fine grid that differ most (a caption, a stamp). */
  kept: number;
  colour: number;
  /** The less detailed photo's detail (see PixelViews.detail). */
  detail: number;
  /** The less contrasted photo's contrast (see PixelViews.contrast). */
  contrast: number;
  /** Whether the photos line up best with one turned a quarter (either way, mirrored or not). */
  turned: boolean;
}

/** Whether turn `t` of dihedral() turns a quarter (it transposes). */
const quarter = (t: number) => (t & 2) !== 0;

export function pixelMatch(a: PixelViews, b: PixelViews): PixelMatch {
  // The best alignment of each family of crops (a side, upright or straightened): the coarse grid
  // tells places apart better than sides, so each family's best is refined, not only the best one.
  // Families are numbered alike in every photo (pixelViews makes the same crops); the order they
  // are first met in is their order here too, as ties are broken by it.
  const families: { score: number; at: [PixelViews, View, PixelViews, View] }[] = [];
  let best = -1;
  const m = MATCH_SIDE * MATCH_SIDE;
  for (const [x, y] of [[a, b], [b, a]] as const) {
    const [crops, turns] = [x.cropLum, y.turnLum];
    const dots = new Float64Array(8);
    for (let c = 0, co = 0; c < x.crops.length; c++, co += m) {
      const family = x.cropFamily[c];
      // The 8 turns in one pass over the crop (each sum in the same order as one at a time).
      let [s0, s1, s2, s3, s4, s5, s6, s7] = [0, 0, 0, 0, 0, 0, 0, 0];
      for (let i = 0; i < m; i++) {
        const v = crops[co + i];
        s0 += v * turns[i];
        s1 += v * turns[m + i];
        s2 += v * turns[2 * m + i];
        s3 += v * turns[3 * m + i];
        s4 += v * turns[4 * m + i];
        s5 += v * turns[5 * m + i];
        s6 += v * turns[6 * m + i];
        s7 += v * turns[7 * m + i];
      }
      [dots[0], dots[1], dots[2], dots[3], dots[4], dots[5], dots[6], dots[7]] = [s0, s1, s2, s3, s4, s5, s6, s7];
      for (let t = 0; t < 8; t++) {
        const s = dots[t];
        if (s > (families[family]?.score ?? -2)) families[family] = { score: s, at: [x, x.crops[c], y, y.turns[t]] };
        if (s > best) best = s;
      }
    }
  }
  let first = { brightness: best, kept: best };
  let at = families.find((f) => f?.score === best)!.at;
  if (best >= REFINE_FROM) {
    first = { brightness: -1, kept: -1 };
    const worth = families.filter((f) => f && f.score >= Math.max(REFINE_FROM, best - REFINE_MARGIN));
    for (const f of worth.sort((p, q) => q.score - p.score).slice(0, REFINE_FAMILIES)) {
      const [fx, fc, fy, ft] = f.at;
      const r = refine(fx, fc, fy.fineTurns[ft.turn]);
      if (r.brightness > first.brightness) [first, at] = [r, f.at];
    }
  }
  const [x, crop, , turn] = at;
  // Colours compared where brightness lines up best; a grey photo (or grey copy) has none to compare.
  const colour = a.colourful && b.colourful ? dot(crop.chroma(), turn.chroma()) : 1;
  // A caption spoils the whole frames' match, so a crop that leaves it out can line up best on the
  // coarse grid, and the refinement stays near that crop: the whole frames are refined too, turned
  // as they line up best without their worst rows.
  const detail = Math.min(a.detail, b.detail);
  const contrast = Math.min(a.contrast, b.contrast);
  const turned = quarter(turn.turn);
  if (crop === x.crops[0] && crop.side === 1) return { ...first, colour, detail, contrast, turned };
  let [rough, t] = [-1, 0];
  for (let k = 0; k < 8; k++) {
    const r = trimmedRows(a.crops[0].lum, b.turns[k].lum, COARSE_TRIM_ROWS, MATCH_SIDE);
    if (r > rough) [rough, t] = [r, k];
  }
  // Only when leaving rows out lines the whole frames up better than any crop did (a caption),
  // not for every pair whose best match is a crop: refining costs most of the match's time.
  if (rough < Math.max(REFINE_FROM, best)) return { ...first, colour, detail, contrast, turned };
  const whole = refine(a, a.crops[0], b.fineTurns[t]);
  const wholeTurned = whole.brightness > first.brightness ? quarter(t) : turned;
  if (whole.kept <= first.kept) return { ...first, brightness: Math.max(first.brightness, whole.brightness), colour, detail, contrast, turned: wholeTurned };
  return { brightness: Math.max(first.brightness, whole.brightness), kept: whole.kept, colour: a.colourful && b.colourful ? dot(a.crops[0].chroma(), b.turns[t].chroma()) : 1, detail, contrast, turned: wholeTurned || quarter(t) };
}

/**
 * The fine grid, around a coarse crop of x: a small search over shifts and scalings (and turns,
 * for a straightened crop), each round around the best so far with half the steps; the best
 * window's score against `target` (y's whole frame, turned like the crop's match).
 */
function refine(x: PixelViews, crop: View, target: Float32Array): { brightness: number; kept: number } {
  const clamp = (p: number, s: number) => Math.min(Math.max(p, 0), 1 - s);
  const windowOf = (x0: number, y0: number, side: number, angle: number) => {
    const s = Math.min(1, side);
    const [cx0, cy0] = [clamp(x0, s), clamp(y0, s)];
    return normalise(angle === 0 ? sampleUpright(x.source, cx0, cy0, s, FINE_SIDE) : sample(x.sourceArea, cx0, cy0, s, FINE_SIDE, angle, x.aspect));
  };
  let targetSum = 0;
  for (let i = 0; i < target.length; i++) targetSum += target[i];
  let fine = -1;
  let [bx, by, bs, ba] = [crop.x0, crop.y0, crop.side, crop.angle];
  const angles = crop.angle === 0 ? [0] : [-1, 0, 1];
  const scores = new Float64Array(angles.length * 27);
  for (let round = 0, shift = FINE_SHIFT, scale = FINE_SCALE, turnBy = FINE_ANGLE; round < 3; round++, shift /= 2, scale /= 2, turnBy /= 2) {
    const [cx, cy, cs, ca] = [bx, by, bs, ba];
    const [sides, shifts] = [[1 - scale, 1, 1 + scale], [-shift, 0, shift]];
    // Every window's score first (upright ones share their horizontal passes), then the best in
    // the order the places were always tried: ties go to the same window as before.
    for (const [r, turn] of angles.entries()) {
      for (const [k, side] of sides.entries()) {
        const s = Math.min(1, cs * side);
        const angle = ca + turn * turnBy;
        const at = (r * 3 + k) * 9;
        if (angle === 0) {
          uprightScores(x.source, shifts.map((dx) => clamp(cx + dx, s)), shifts.map((dy) => clamp(cy + dy, s)), s, FINE_SIDE, target, targetSum, scores, at);
          continue;
        }
        for (const [j, dy] of shifts.entries()) {
          for (const [i, dx] of shifts.entries()) scores[at + 3 * j + i] = turnedScore(x.sourceArea, clamp(cx + dx, s), clamp(cy + dy, s), s, FINE_SIDE, angle, x.aspect, target, targetSum);
        }
      }
    }
    for (let w = 0; w < scores.length; w++) {
      if (scores[w] <= fine) continue;
      const [r, k, j, i] = [Math.floor(w / 27), Math.floor(w / 9) % 3, Math.floor(w / 3) % 3, w % 3];
      [fine, bx, by, bs, ba] = [scores[w], cx + shifts[i], cy + shifts[j], Math.min(1, cs * sides[k]), ca + angles[r] * turnBy];
    }
  }
  return { brightness: fine, kept: trimmedRows(windowOf(bx, by, bs, ba), target, TRIM_ROWS) };
}

/**
 * The correlation of two m-square images leaving out the `rows` rows where they differ
 * most (after brightness and contrast are taken out): a caption or a stamp covers a band of rows,
 * while different pictures differ all over.
 */
function trimmedRows(a: Float32Array, b: Float32Array, rows: number, m = FINE_SIDE): number {
  // Per row: sums of a, b, a², b², ab and of the squared difference; the correlation of the rows
  // kept follows from the sums, without copying the cells.
  const sums = new Float64Array(6 * m);
  for (let j = 0; j < m; j++) {
    for (let i = j * m; i < (j + 1) * m; i++) {
      const [x, y] = [a[i], b[i]];
      sums[6 * j] += x;
      sums[6 * j + 1] += y;
      sums[6 * j + 2] += x * x;
      sums[6 * j + 3] += y * y;
      sums[6 * j + 4] += x * y;
      sums[6 * j + 5] += (x - y) * (x - y);
    }
  }
  const order = Array.from({ length: m }, (_, j) => j).sort((p, q) => sums[6 * q + 5] - sums[6 * p + 5]);
  let [sa, sb, saa, sbb, sab] = [0, 0, 0, 0, 0];
  for (const j of order.slice(rows)) {
    sa += sums[6 * j];
    sb += sums[6 * j + 1];
    saa += sums[6 * j + 2];
    sbb += sums[6 * j + 3];
    sab += sums[6 * j + 4];
  }
  const k = (m - rows) * m;
  const va = saa - (sa * sa) / k;
  const vb = sbb - (sb * sb) / k;
  return va > 1e-12 && vb > 1e-12 ? (sab - (sa * sb) / k) / Math.sqrt(va * vb) : 0;
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

/** `make`'s value, made on the first call and kept. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
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

/** Zero mean, unit length, in place (a flat image becomes all zeros: it matches nothing). */
function normalise(v: Float32Array): Float32Array {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i] / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    v[i] -= mean;
    ss += v[i] * v[i];
  }
  const norm = Math.sqrt(ss);
  if (norm > 1e-6 * n) for (let i = 0; i < n; i++) v[i] /= norm;
  else v.fill(0);
  return v;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Standard deviation of the values. */
function spread(v: Float32Array): number {
  let mean = 0;
  for (let i = 0; i < v.length; i++) mean += v[i];
  mean /= v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) * (v[i] - mean);
  return Math.sqrt(ss / v.length);
}

function energy(v: Float32Array): number {
  return dot(v, v);
}

/** The image less its 3x3 local mean (edges and texture, not the layout). */
function highPass(v: Float32Array, m = FINE_SIDE): Float32Array {
  const out = new Float32Array(v.length);
  for (let y = 0; y < m; y++) {
    for (let x = 0; x < m; x++) {
      let [s, k] = [0, 0];
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const [u, w] = [x + dx, y + dy];
        if (u >= 0 && u < m && w >= 0 && w < m) [s, k] = [s + v[w * m + u], k + 1];
      }
      out[y * m + x] = v[y * m + x] - s / k;
    }
  }
  return out;
}
