// How the CLI speaks: JSON on stdout for machines, short lines for people, progress on stderr.
import type { JobProgress } from '../../src-shared/contract.js';

export interface Output {
  json: boolean;
  /** The command's result: JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void;
  progress(p: JobProgress): void;
  endProgress(): void;
}

/** Without a terminal (a log, a pipe, CI), one progress line this often, and at each new phase. */
export const PLAIN_PROGRESS_EVERY_MS = 5000;

export function createOutput(json: boolean, stdout: Writable = process.stdout, stderr: Writable = process.stderr, now = () => Date.now()): Output {
  const live = !json && stderr.isTTY === true;
  let lastLine = 0;
  let lastPhase = '';
  return {
    json,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    progress(p) {
      if (json || p.state !== 'running') return;
      const t = now();
      if (live) {
        if (t - lastLine < 100) return;
        lastLine = t;
        stderr.write(`\r\x1b[K${describeProgress(p)}`);
        return;
      }
      const phase = `${p.kind} ${p.phase}`;
      if (phase === lastPhase && t - lastLine < PLAIN_PROGRESS_EVERY_MS) return;
      lastPhase = phase;
      lastLine = t;
      stderr.write(`${describeProgress(p)}\n`);
    },
    endProgress() {
      if (live) stderr.write('\r\x1b[K');
    },
  };
}

/** The part of a stream the output writes to (a fake one in tests). */
export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
}

export function describeProgress(p: JobProgress): string {
  if (p.total === null && p.done === 0) return `${p.kind} ${p.phase}…`;
  const total = p.total === null ? '' : `/${p.total}`;
  const rate = p.rate === null ? '' : `, ${p.rate.toFixed(1)}/s`;
  const eta = p.etaSeconds === null ? '' : `, ${Math.ceil(p.etaSeconds)} s left`;
  const failed = p.failed ? `, ${p.failed} failed` : '';
  return `${p.kind} ${p.phase}: ${p.done}${total}${failed}${rate}${eta}`;
}

export class UsageError extends Error {}

/** "1 image", "2 images"; `many` for words that do not just take an s ("queries"). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
