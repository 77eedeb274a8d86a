// How the CLI talks to a person: help that fits 80 columns, refusals without internal names,
// progress lines in a log (no terminal), an import that found nothing exits non-zero, and the
// serve URL that can be printed again.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContractError, type JobProgress } from '../../../src-shared/contract.js';
import { HELP_WIDTH, usage, userMessage } from '../../../src-main/cli/cli.js';
import { nothingImported } from '../../../src-main/cli/commands/import.js';
import { createOutput, PLAIN_PROGRESS_EVERY_MS } from '../../../src-main/cli/output.js';
import { LibraryLock, servedUrl } from '../../../src-main/link/library-lock.js';

const progress = (phase: string, done: number, total: number | null): JobProgress => ({
  jobId: 1, kind: 'import', state: 'running', phase, done, total, failed: 0, rate: null, etaSeconds: null, message: null, result: null,
});

describe('CLI messages', () => {
  it('--help fits an 80-column terminal and still names every command', () => {
    const text = usage();
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(HELP_WIDTH);
    for (const name of ['import', 'similar', 'train', 'export', 'serve']) expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('says what a refused request means without the call or field names', () => {
    const err = new ContractError('markPair: invalid request: b: a pair needs two different images', 'bad-request');
    expect(userMessage(err)).toBe('a pair needs two different images');
    const other = new ContractError('no image #4 in the library', 'not-found');
    expect(userMessage(other)).toBe('no image #4 in the library');
  });

  it('prints a progress line per phase and then every few seconds when stderr is not a terminal', () => {
    let now = 0;
    const lines: string[] = [];
    const out = createOutput(false, { write: () => true }, { write: (t: string) => lines.push(t), isTTY: false }, () => now);
    out.progress(progress('thumbnails', 1, 10));
    now += 1000;
    out.progress(progress('thumbnails', 2, 10)); // too soon: same phase
    out.progress(progress('loading the CNN', 0, null)); // a new phase: at once
    now += PLAIN_PROGRESS_EVERY_MS;
    out.progress(progress('loading the CNN', 0, null));
    expect(lines).toEqual(['import thumbnails: 1/10\n', 'import loading the CNN…\n', 'import loading the CNN…\n']);
  });

  it('treats an import that brought nothing in as a failure, with where it looked', () => {
    const none = { added: 0, unchanged: 0, removed: 0, failed: [] };
    expect(nothingImported(none, ['/photos/empty'])).toBe('no photos found in /photos/empty');
    expect(nothingImported({ ...none, failed: [{ path: '/p/a.jpg', error: 'damaged' }] }, ['/p'])).toMatch(/nothing could be imported from \/p/);
    expect(nothingImported({ ...none, unchanged: 3 }, ['/p'])).toBeNull();
    expect(nothingImported({ ...none, removed: 2 }, ['/p'])).toBeNull();
  });
});

describe('serve --print-url', () => {
  const library = mkdtempSync(path.join(os.tmpdir(), 'lookalike-serve-url-'));
  afterAll(() => rmSync(library, { recursive: true, force: true }));

  it('finds the URL of the serve that runs, and none once it stopped', () => {
    expect(servedUrl(library)).toBeNull();
    const lock = LibraryLock.acquire(library, 'serve', 'lookalike serve');
    if ('heldBy' in lock) throw new Error('expected the lock');
    lock.advertise('http://127.0.0.1:5000', 'abc');
    expect(servedUrl(library)).toBe('http://127.0.0.1:5000/?token=abc');
    lock.release();
    expect(servedUrl(library)).toBeNull();
  });
});
