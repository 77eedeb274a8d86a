// Time spent in each stage of an import, summed over the process's life: what bench/scale.ts
// reports to show which stage limits throughput. Stages running concurrently (several files
// hashed and decoded at once, the CNN on worker threads) each add their own time, so the sums
// are busy time, not wall time, and may add up to more than the import took.
export type ImportStage = 'scan' | 'hash' | 'decode+thumbnail' | 'catalog writes' | 'CNN (224 decode + inference)' | 'feature writes' | 'index' | 'index saves';

class StageTimes {
  private readonly ms = new Map<ImportStage, number>();

  add(stage: ImportStage, since: number): void {
    this.ms.set(stage, (this.ms.get(stage) ?? 0) + performance.now() - since);
  }

  /** Runs `fn`, adding its time to `stage`. */
  time<T>(stage: ImportStage, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.add(stage, start);
    }
  }

  snapshot(): Map<ImportStage, number> {
    return new Map(this.ms);
  }

  reset(): void {
    this.ms.clear();
  }
}

export const stageTimes = new StageTimes();
