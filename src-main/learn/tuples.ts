// Index tuples exchanged between miners, the trainer and the losses. Indices point into the
// batch's rows. A label of -1 marks a row with no label (it can still appear in marked pairs).

/** Pairs of rows, each marked as alike (match) or not alike; also the user's marked pairs. */
export interface PairTuples {
  a: number[];
  b: number[];
  match: boolean[];
}

/** Triplets (anchor, positive, negative) of rows. */
export interface TripletTuples {
  anchor: number[];
  positive: number[];
  negative: number[];
}

export type IndexTuples = PairTuples | TripletTuples;

export const NO_LABEL = -1;

export function isTripletTuples(t: IndexTuples): t is TripletTuples {
  return 'anchor' in t;
}

export function emptyPairs(): PairTuples {
  return { a: [], b: [], match: [] };
}
