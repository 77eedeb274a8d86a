import { describe, expect, it } from 'vitest';
import { ProgressReporter, type ImportProgress } from '../../../src-main/ingest/progress.js';

describe('ProgressReporter', () => {
  it('emits at most every 100 ms, always at phase changes and at the end, with rate and ETA', () => {
    let now = 0;
    const events: ImportProgress[] = [];
    const reporter = new ProgressReporter((p) => events.push(p), 100, () => now);
    for (let i = 1; i <= 50; i++) {
      now += 1;
      reporter.found(i);
    }
    const scanEvents = events.length;
    expect(scanEvents).toBe(1); // 50 ms of scanning
    reporter.startImport(50, 10, 1);
    expect(events[events.length - 1]).toMatchObject({ phase: 'import', found: 50, done: 10, failed: 1 });
    // 40 files at 20 files a second.
    for (let i = 0; i < 40; i++) {
      now += 50;
      reporter.fileDone(i === 0);
    }
    reporter.finish();
    const importEvents = events.slice(scanEvents + 1);
    expect(importEvents.length).toBeGreaterThanOrEqual(19);
    expect(importEvents.length).toBeLessThanOrEqual(21);
    const middle = importEvents[10];
    expect(middle.imagesPerSecond).toBeCloseTo(20, 0);
    expect(middle.etaSeconds).toBe(Math.ceil((50 - middle.done) / middle.imagesPerSecond));
    expect(events[events.length - 1]).toMatchObject({ done: 50, failed: 2, etaSeconds: 0 });
  });
});
