// The desktop app end to end, driven by Playwright's Electron support. It needs Electron's
// binary, which `npm install` fetches from the internet on first use; on machines without it
// (ours) every test here is skipped, saying so.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { electronBinary } from '../../bin/electron-binary.js';
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '../..');

const binary = electronBinary();
const why = 'node_modules/electron/dist is missing: it downloads on first use, which needs the internet';
test.skip(binary === null, `Electron tests: the Electron binary is not installed here (${why})`);

let app: ElectronApplication;
let page: Page;
let work: string;

test.beforeAll(async () => {
  // test:e2e builds the UI; the main process and the preload are built here when missing.
  if (!existsSync(path.join(root, 'build/src-main/app/main.js')) || !existsSync(path.join(root, 'build/src-main/app/preload.cjs'))) {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.main.json'], { cwd: root, stdio: 'inherit' });
    execFileSync('npx', ['vite', 'build', '-c', 'vite.preload.config.ts'], { cwd: root, stdio: 'inherit' });
  }
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-electron-e2e-'));
  const env: Record<string, string | undefined> = { ...process.env, LOOKALIKE_LIBRARY: path.join(work, 'library'), XDG_CONFIG_HOME: path.join(work, 'config') };
  delete env.ELECTRON_RUN_AS_NODE;
  app = await electron.launch({
    executablePath: binary!,
    // Containers rarely allow Chromium's setuid/namespace sandbox; the page stays sandboxed
    // by webPreferences either way.
    args: [root, ...(process.platform === 'linux' ? ['--no-sandbox'] : [])],
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    cwd: root,
  });
  page = await app.firstWindow();
});

test.afterAll(async () => {
  await app?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('opens our page with the empty state and the compute backend', async () => {
  expect(page.url()).toBe('lookalike://app/index.html');
  await expect(page.getByTestId('empty-state')).toBeVisible();
  await expect(page.getByTestId('backend')).toContainText(/wasm|tensorflow|cpu/);
});

test('the page has no Node and reaches the app only through window.lookalike', async () => {
  const seen = await page.evaluate(() => {
    const g = globalThis as unknown as Record<string, unknown>;
    return {
      require: typeof g.require,
      process: typeof g.process,
      api: Object.keys((g.lookalike as object) ?? {}),
    };
  });
  expect(seen.require).toBe('undefined');
  expect(seen.process).toBe('undefined');
  expect(seen.api).toEqual(expect.arrayContaining(['status', 'importFolders', 'similar', 'pathForFile']));
});

test('the page opens no other window and cannot navigate away', async () => {
  const opened = await page.evaluate(() => (globalThis as unknown as { open(u: string): unknown }).open('https://example.com/') === null);
  expect(opened).toBe(true);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  await page.evaluate(() => {
    (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
  });
  await expect(page.getByTestId('empty-state')).toBeVisible();
  expect(page.url()).toBe('lookalike://app/index.html');
});

test('lookalike:// refuses what is not the UI or a library image', async () => {
  const statuses = await page.evaluate(async () => {
    const urls = ['lookalike://media/thumb/1', 'lookalike://media/original/999', 'lookalike://app/..%2f..%2fpackage.json', 'lookalike://other/x'];
    return Promise.all(urls.map((u) => fetch(u).then((r) => r.status, () => 0)));
  });
  for (const s of statuses) expect(s === 404 || s === 0).toBe(true);
});

test('the native menu offers Add Folder, Open Library and About', async () => {
  const ids = await app.evaluate(({ Menu }) =>
    ['add-folder', 'open-library', 'about'].filter((id) => Menu.getApplicationMenu()?.getMenuItemById(id) != null),
  );
  expect(ids).toEqual(['add-folder', 'open-library', 'about']);
});
