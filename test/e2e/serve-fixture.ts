// A Playwright fixture that owns one `lookalike serve` on a fresh library for each test and
// hands the test the URL it printed. Steps wait on what a user would see, never on sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';

export interface Served {
  url: string;
  library: string;
  /** A scratch folder for the test's photos. */
  work: string;
  output: () => string;
}

const root = path.resolve(import.meta.dirname, '../..');

export const test = base.extend<{ served: Served; libraryFiles: Record<string, string> }>({
  /** Files (path inside the library → content) laid in the library folder before serve opens it. */
  libraryFiles: [{}, { option: true }],
  served: async ({ libraryFiles }, use) => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-e2e-'));
    const library = path.join(work, 'library');
    for (const [name, content] of Object.entries(libraryFiles)) {
      mkdirSync(path.dirname(path.join(library, name)), { recursive: true });
      writeFileSync(path.join(library, name), content);
    }
    const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/lookalike.js'), 'serve', '--port', '0', '--library', library], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL:\n${out}`)), 60_000);
      const check = () => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout?.on('data', check);
      child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
    });
    await use({ url, library, work, output: () => out });
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
