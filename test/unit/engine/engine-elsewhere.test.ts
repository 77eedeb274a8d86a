// `lookalike serve` from any folder: the engine's child process finds tsx from the app's own
// location, not from the working directory (where `--import tsx` failed with "Cannot find
// package 'tsx'").
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tsxLoaderUrl } from '../../../src-main/link/engine-process.js';

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-elsewhere-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('starts the engine process with the working directory outside the repository', async () => {
  const script = path.join(import.meta.dirname, 'start-engine.ts');
  const library = path.join(work, 'library');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', tsxLoaderUrl(), script, library], { cwd: work });
  expect(JSON.parse(stdout)).toMatchObject({ library, images: 0 });
}, 60_000);
