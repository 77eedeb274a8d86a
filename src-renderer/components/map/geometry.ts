// Geometry for the map canvas, free of the DOM: the view transform, a grid over the points
// for hover look-ups, and lasso hit-testing. All of it runs per frame or per gesture on up to
// 100k points, so it works on typed arrays and never allocates per point.

/** Screen = data × scale + offset (CSS pixels). Data coordinates are in [0, 1]. */
export interface ViewTransform {
  scale: number;
  tx: number;
  ty: number;
}

export function fitView(width: number, height: number): ViewTransform {
  const scale = Math.max(1, Math.min(width, height) * 0.92);
  return { scale, tx: (width - scale) / 2, ty: (height - scale) / 2 };
}

/** Zooms by `factor` keeping the data point under (sx, sy) where it is. */
export function zoomAt(v: ViewTransform, sx: number, sy: number, factor: number): ViewTransform {
  const scale = Math.min(Math.max(v.scale * factor, 20), 200_000);
  const k = scale / v.scale;
  return { scale, tx: sx - (sx - v.tx) * k, ty: sy - (sy - v.ty) * k };
}

const CELLS = 128;

/** Points bucketed on a CELLS × CELLS grid over [0, 1]², for nearest-point queries. */
export class PointGrid {
  private readonly start = new Uint32Array(CELLS * CELLS + 1);
  private readonly order: Uint32Array;

  constructor(private readonly xy: ArrayLike<number>) {
    const n = xy.length / 2;
    const cellOf = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      cellOf[i] = cell(xy[2 * i + 1]) * CELLS + cell(xy[2 * i]);
      this.start[cellOf[i] + 1]++;
    }
    for (let c = 0; c < CELLS * CELLS; c++) this.start[c + 1] += this.start[c];
    const fill = this.start.slice(0, CELLS * CELLS);
    this.order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.order[fill[cellOf[i]]++] = i;
  }

  /** Index of the point nearest (x, y) within `radius` (data units), or -1. */
  nearest(x: number, y: number, radius: number): number {
    let best = -1;
    let bestD = radius * radius;
    const c0 = cell(x - radius), c1 = cell(x + radius), r0 = cell(y - radius), r1 = cell(y + radius);
    for (let r = r0; r <= r1; r++) {
      for (let c = c0; c <= c1; c++) {
        const id = r * CELLS + c;
        for (let k = this.start[id]; k < this.start[id + 1]; k++) {
          const i = this.order[k];
          const d = (this.xy[2 * i] - x) ** 2 + (this.xy[2 * i + 1] - y) ** 2;
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }
}

function cell(v: number): number {
  return Math.min(CELLS - 1, Math.max(0, Math.floor(v * CELLS)));
}

/** Indices of the points inside a closed polygon (data coordinates), by ray casting. */
export function pointsInPolygon(xy: ArrayLike<number>, polygon: readonly [number, number][]): number[] {
  if (polygon.length < 3) return [];
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [x, y] of polygon) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const inside: number[] = [];
  for (let i = 0; i < xy.length / 2; i++) {
    const px = xy[2 * i], py = xy[2 * i + 1];
    if (px < minX || px > maxX || py < minY || py > maxY) continue;
    let odd = false;
    for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
      const [ax, ay] = polygon[a];
      const [bx, by] = polygon[b];
      if (ay > py !== by > py && px < ((bx - ax) * (py - ay)) / (by - ay) + ax) odd = !odd;
    }
    if (odd) inside.push(i);
  }
  return inside;
}
