// The list reporter shows skipped tests without saying why; this prints one line per reason at
// the end (e.g. the Electron tests, skipped where the Electron binary is not installed).
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SkipReasons implements Reporter {
  private readonly byReason = new Map<string, number>();

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status !== 'skipped') return;
    const reason = test.annotations.find((a) => a.type === 'skip')?.description ?? 'no reason given';
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
  }

  onEnd(): void {
    for (const [reason, count] of this.byReason) console.log(`${count} skipped: ${reason}`);
  }

  printsToStdio(): boolean {
    return true;
  }
}
