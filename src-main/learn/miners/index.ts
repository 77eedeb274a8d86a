import { AllTripletsMiner } from './all.js';
import { BatchHardMiner } from './batch-hard.js';
import type { MinerName, TripletMiner } from './miner.js';
import { SemiHardMiner } from './semi-hard.js';

export { AllTripletsMiner, allTriplets } from './all.js';
export { BatchHardMiner, batchHardTriplets } from './batch-hard.js';
export { SemiHardMiner, semiHardTriplets } from './semi-hard.js';
export type { MinerName, TripletMiner } from './miner.js';

export const MINER_NAMES: readonly MinerName[] = ['batch-hard', 'semi-hard', 'all'];

export function createMiner(name: MinerName): TripletMiner {
  switch (name) {
    case 'batch-hard':
      return new BatchHardMiner();
    case 'semi-hard':
      return new SemiHardMiner();
    case 'all':
      return new AllTripletsMiner();
  }
}
