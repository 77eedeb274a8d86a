// Rows of equal-length vectors as one flat array, the shape tensors and index files take.

/** Concatenates `rows` (each `dim` long) into one row-major array; a row of another length throws. */
export function packRows(rows: readonly ArrayLike<number>[], dim: number): Float32Array {
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`row ${i} has length ${r.length}, expected ${dim}`);
    flat.set(r, i * dim);
  });
  return flat;
}

/** The mean row. */
export function meanRow(rows: readonly ArrayLike<number>[], dim: number): Float32Array {
  const mean = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mean[i] += r[i];
  return Float32Array.from(mean, (v) => v / Math.max(1, rows.length));
}
