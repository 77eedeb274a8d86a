// How the CLI speaks: JSON on stdout for machines, short lines for people, progress on stderr.
import type { JobProgress } from '../../src-shared/contract.js';

export interface Output {
  json: boolean;
  /** The command's result: JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void;
  progress(p: JobProgress): void;
  endProgress(): void;
}

export function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  const live = !json && stderr.isTTY === true;
  let lastLine = 0;
  return {
    json,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    progress(p) {
      if (!live) return;
      const now = Date.now();
      if (now - lastLine < 100 && p.state === 'running') return;
      lastLine = now;
      stderr.write(`\r\x1b[K${describeProgress(p)}`);
    },
    endProgress() {
      if (live) stderr.write('\r\x1b[K');
    },
  };
}

export function describeProgress(p: JobProgress): string {
  const total = p.total === null ? '' : `/${p.total}`;
  const rate = p.rate === null ? '' : `, ${p.rate.toFixed(1)}/s`;
  const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`;
  const failed = p.failed ? `, ${p.failed} failed` : '';
  return `${p.kind} ${p.phase}: ${p.done}${total}${failed}${rate}${eta}`;
}

export class UsageError extends Error {}
