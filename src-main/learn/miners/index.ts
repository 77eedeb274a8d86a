import { AllTripletsMiner } from './all.js';
import { BatchHardMiner } from './batch-hard.js';
import type { MinerName, TripletMiner } from './miner.js';
import { SemiHardMiner } from './semi-hard.js';

export { AllTripletsMiner, allTriplets } from './all.js';
export { BatchHardMiner, batchHardTriplets } from './batch-hard.js';
export { SemiHardMiner, semiHardTriplets } from './semi-hard.js';
export { anyTwoClasses, type Apart, type MinerName, type TripletMiner } from './miner.js';

export { minerNames } from '../../../src-shared/vocabulary.js';

/** One entry per name of the vocabulary: a missing or extra miner fails to compile. */
const registry = {
  'batch-hard': () => new BatchHardMiner(),
  'semi-hard': () => new SemiHardMiner(),
  all: () => new AllTripletsMiner(),
} satisfies Record<MinerName, () => TripletMiner>;

export function createMiner(name: MinerName): TripletMiner {
  return registry[name]();
}
