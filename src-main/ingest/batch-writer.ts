// Collects per-file outcomes and commits them in small transactions: one transaction per file
// would make SQLite's commit cost dominate, one for the whole import would lose everything
// to a crash. A batch is committed at `maxOps` outcomes or `maxDelayMs`, whichever comes first.
import type { IngestOp, IngestStore } from '../library/ingest-store.js';

export class BatchWriter {
  private ops: IngestOp[] = [];
  private oldest = 0;

  constructor(
    private readonly store: IngestStore,
    private readonly maxOps = 64,
    private readonly maxDelayMs = 250,
  ) {}

  push(op: IngestOp): void {
    if (this.ops.length === 0) this.oldest = Date.now();
    this.ops.push(op);
    if (this.ops.length >= this.maxOps || Date.now() - this.oldest >= this.maxDelayMs) this.flush();
  }

  flush(): void {
    if (this.ops.length === 0) return;
    const batch = this.ops;
    this.ops = [];
    this.store.apply(batch);
  }
}
