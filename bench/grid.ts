// The page's grid on a big library (issue 19): how long until it opens (the first screen of
// thumbnails drawn) and how long a jump to the end takes (the last photo's thumbnail drawn),
// then jumps to 20 places in between. Runs `lookalike serve` on an imported library (for example
// the one `KEEP_LIBRARY=DIR npx tsx bench/scale.ts` leaves) and Debian's Chromium on its page.
// Needs `npx vite build` first.
//
//   npx tsx bench/grid.ts DIR [WIDTHxHEIGHT]      (default 1600x1000)
/// <reference lib="dom" />
import { spawn } from 'node:child_process';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';

const library = process.argv[2];
if (!library) throw new Error('usage: npx tsx bench/grid.ts LIBRARY_DIR [WIDTHxHEIGHT]');
const [width, height] = (process.argv[3] ?? '1600x1000').split('x').map(Number);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const serve = spawn(process.execPath, [path.join(repo, 'bin/lookalike.js'), 'serve', '--port', '0', '--library', library], { stdio: ['ignore', 'pipe', 'pipe'] });
let printed = '';
const url = await new Promise<string>((resolve, reject) => {
  const look = (d: Buffer) => {
    printed += d;
    const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(printed);
    if (m) resolve(m[1]);
  };
  serve.stdout.on('data', look);
  serve.stderr.on('data', look);
  serve.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${printed}`)));
});

/** Milliseconds until every thumbnail in view (or the one with `id`) has been drawn. */
async function drawn(page: Page, id?: number): Promise<void> {
  await page.waitForFunction(
    (wanted) => {
      const grid = document.querySelector('[data-testid="grid"]');
      if (!grid) return false;
      const box = grid.getBoundingClientRect();
      const imgs = [...grid.querySelectorAll<HTMLImageElement>(wanted == null ? 'img' : `[data-image-id="${wanted}"] img`)].filter((img) => {
        const r = img.getBoundingClientRect();
        return r.bottom > box.top && r.top < box.bottom;
      });
      return imgs.length > 0 && imgs.every((img) => img.complete && img.naturalWidth > 0) && grid.querySelectorAll('.placeholder').length === 0;
    },
    id ?? null,
    { timeout: 120_000, polling: 'raf' },
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
try {
  const page = await browser.newPage({ viewport: { width, height } });
  const token = new URL(url).searchParams.get('token');
  const call = async (method: string, body: object) =>
    ((await (await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { result: { total: number; items: { id: number }[] } }).result;
  const { total } = await call('listImages', { offset: 0, limit: 1 });
  const last = (await call('listImages', { offset: total - 1, limit: 1 })).items[0].id;

  /** Opens the page and waits for its first screen of thumbnails; the time, and where it went. */
  const open = async (p: Page) => {
    const t0 = performance.now();
    await p.goto(url);
    await drawn(p);
    const ms = performance.now() - t0;
    // Where the opening went: the page's own timings, its API calls and thumbnails (ms from navigation start).
    // (No named helpers inside: tsx would wrap them in a __name the page does not have.)
    const parts = await p.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const api = resources.filter((r) => r.name.includes('/api/'));
      const thumbs = resources.filter((r) => /thumb|media/.test(r.name) && !r.name.includes('/api/'));
      return {
        html: nav.responseEnd,
        domContentLoaded: nav.domContentLoadedEventEnd,
        apiFirst: api.length ? Math.min(...api.map((r) => r.startTime)) : 0,
        apiLast: Math.max(0, ...api.map((r) => r.responseEnd)),
        apiSlowest: api.length ? Math.max(...api.map((r) => r.duration)) : 0,
        thumbs: thumbs.length,
        thumbsLast: Math.max(0, ...thumbs.map((r) => r.responseEnd)),
        calls: api.map((r) => `${r.name.replace(/.*\/api\//, '').replace(/\?.*/, '')} ${r.startTime.toFixed(0)}+${r.duration.toFixed(0)}`).join(', '),
      };
    });
    const f = (x: number) => x.toFixed(0);
    return {
      ms,
      parts:
        `page ${f(parts.html)}, DOMContentLoaded ${f(parts.domContentLoaded)}, first API call ${f(parts.apiFirst)}, ` +
        `API calls done ${f(parts.apiLast)} (slowest ${f(parts.apiSlowest)}), ${parts.thumbs} thumbnails done ${f(parts.thumbsLast)}\n    calls (start+duration): ${parts.calls}`,
    };
  };
  // Cold: the browser and `serve` just started, both still busy starting (Chromium's own
  // processes take the 2 cores for about a second).
  const cold = await open(page);
  console.log(`opens cold in ${cold.ms.toFixed(0)} ms; ms from navigation: ${cold.parts}`);
  // Settled: a running browser and `serve`, a fresh page (no cache), as a user opening the address.
  const settled: number[] = [];
  for (let i = 0; i < 3; i++) {
    const context = await browser.newContext({ viewport: { width, height } });
    const fresh = await context.newPage();
    await fresh.goto('about:blank');
    await new Promise((r) => setTimeout(r, 3000));
    const o = await open(fresh);
    settled.push(o.ms);
    console.log(`opens settled in ${o.ms.toFixed(0)} ms; ms from navigation: ${o.parts}`);
    await context.close();
  }
  let t = performance.now();
  await page.reload();
  await drawn(page);
  console.log(`reopened (the same browser, warm): ${(performance.now() - t).toFixed(0)} ms`);

  t = performance.now();
  await page.getByTestId('grid').evaluate((g) => (g.scrollTop = g.scrollHeight));
  await drawn(page, last);
  const toEnd = performance.now() - t;

  const jumps: number[] = [];
  for (let i = 1; i <= 20; i++) {
    t = performance.now();
    await page.getByTestId('grid').evaluate((g, f) => (g.scrollTop = f * g.scrollHeight), ((i * 7) % 20) / 20);
    await drawn(page);
    jumps.push(performance.now() - t);
  }
  const cells = await page.locator('[data-testid="grid"] .cell').count();
  console.log(`grid of ${total} photos at ${width}×${height}: opens in ${median(settled).toFixed(0)} ms settled (median of 3; page load to the first screen of thumbnails drawn), ${cold.ms.toFixed(0)} ms cold; jump to the end ${toEnd.toFixed(0)} ms; 20 jumps in between median ${median(jumps).toFixed(0)} ms, worst ${Math.max(...jumps).toFixed(0)} ms; ${cells} cells in the page`);
} finally {
  await browser.close();
  serve.kill('SIGTERM');
}
