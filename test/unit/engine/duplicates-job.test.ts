// The duplicates search as a job (issue 18, item 6): it reports its phases with counts as
// jobProgress events, and a cancel (the page's button, or Ctrl-C in the CLI) ends it as
// cancelled, keeping only whole verdicts that agree with a search run to its end.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DuplicateGroup, JobProgress } from '../../../src-shared/contract.js';
import { callShowingJob } from '../../../src-main/cli/commands/command.js';
import type { Output } from '../../../src-main/cli/output.js';
import { PIXEL_CHECK_ID } from '../../../src-main/copies/duplicate-check.js';
import { PairVerdicts } from '../../../src-main/copies/pair-verdicts.js';
import { savedSearchFile } from '../../../src-main/copies/saved-search.js';
import { CANCELLED_DUPLICATES } from '../../../src-main/engine/duplicates-job.js';
import { Engine } from '../../../src-main/engine/engine.js';
import { sceneJpeg } from '../../fixtures/scenes.js';
import { iconSvg, pageSvg } from '../../fixtures/simple-images.js';
import { importFolder } from '../../fixtures/engine-jobs.js';

let work: string;
/** Strictness 0: every pair the descriptor proposes is compared, several batches' worth. */
const ALL = { threshold: 0 };

async function makePhotos(folder: string): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const jpeg = (svg: string) => sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer();
  for (let s = 0; s < 12; s++) writeFileSync(path.join(folder, `icon-${s}.jpg`), await jpeg(iconSvg(s)));
  for (let s = 0; s < 6; s++) writeFileSync(path.join(folder, `page-${s}.jpg`), await jpeg(pageSvg(s)));
  const photo = await sceneJpeg(1, 3);
  writeFileSync(path.join(folder, 'scene.jpg'), photo);
  writeFileSync(path.join(folder, 'scene-q50.jpg'), await sharp(photo).jpeg({ quality: 50 }).toBuffer());
  writeFileSync(path.join(folder, 'scene-small.jpg'), await sharp(photo).resize(320).jpeg({ quality: 85 }).toBuffer());
  writeFileSync(path.join(folder, 'icon-0-big.jpg'), await sharp(Buffer.from(iconSvg(0))).resize(400).jpeg({ quality: 70 }).toBuffer());
}

async function library(name: string): Promise<Engine> {
  const engine = await Engine.open(path.join(work, name));
  const imported = await importFolder(engine, path.join(work, 'photos'));
  expect(imported.state).toBe('done');
  return engine;
}

/** Every stored verdict on a pair of the library's photos, by the pair's hashes. */
function storedVerdicts(engine: Engine): Map<string, boolean> {
  const hashes = engine.catalog.listedImageRefs().map((r) => r.contentHash);
  const pairs = hashes.flatMap((a, i) => hashes.slice(i + 1).map((b) => [a, b] as const));
  const verdicts = PairVerdicts.open(engine.catalog.paths.features, PIXEL_CHECK_ID);
  try {
    const got = verdicts.get(pairs);
    return new Map(pairs.flatMap(([a, b], k) => (got[k] === undefined ? [] : [[[a, b].sort().join(':'), got[k]] as const])));
  } finally {
    verdicts.close();
  }
}

const names = (groups: DuplicateGroup[]) => groups.map((g) => g.images.map((h) => path.basename(h.path)).sort().join(' ')).sort();

/** Collects the duplicates job's events, and runs `onEvent` on each. */
function watch(engine: Engine, onEvent: (p: JobProgress) => void = () => undefined): { events: JobProgress[]; off: () => void } {
  const events: JobProgress[] = [];
  const off = engine.onEvent((name, payload) => {
    if (name !== 'jobProgress') return;
    const p = payload as JobProgress;
    if (p.kind !== 'duplicates') return;
    events.push(p);
    onEvent(p);
  });
  return { events, off };
}

let full: { groups: DuplicateGroup[]; verdicts: Map<string, boolean>; events: JobProgress[] };

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'lookalike-dup-job-'));
  await makePhotos(path.join(work, 'photos'));
  const engine = await library('whole');
  try {
    const seen = watch(engine);
    const groups = await engine.call('duplicates', ALL);
    seen.off();
    full = { groups, verdicts: storedVerdicts(engine), events: seen.events };
  } finally {
    await engine.close();
  }
}, 300_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the duplicates job', () => {
  it('reports its phases with counts, and ends done with the number of groups it answered', () => {
    const { events, groups } = full;
    expect(events[0].state).toBe('queued');
    const comparing = events.filter((p) => p.state === 'running' && p.phase === 'comparing pixels');
    expect(comparing.length).toBeGreaterThan(0);
    const total = comparing[0].total!;
    expect(total).toBeGreaterThan(64); // more than one batch of pairs
    expect(comparing.every((p) => p.total === total && p.done <= total)).toBe(true);
    expect(comparing.at(-1)!.done).toBe(total);
    const last = events.at(-1)!;
    expect(last.state).toBe('done');
    expect(last.result).toMatchObject({ kind: 'duplicates', groups: groups.length });
    expect(full.verdicts.size).toBeGreaterThanOrEqual(total);
    expect(names(groups)).toContainEqual('scene-q50.jpg scene-small.jpg scene.jpg');
    const phases = [...new Set(events.filter((p) => p.state === 'running').map((p) => p.phase))];
    expect(phases).toEqual(['starting', 'loading the CNN', 'reading descriptors', 'finding candidates', 'reading layouts', 'comparing layouts', 'comparing pixels']);
  });

  it('answers other calls while it finds candidates, and a cancel there ends it before any pixel is compared', async () => {
    const engine = await library('early');
    try {
      let answered: Promise<unknown> | null = null;
      const seen = watch(engine, (p) => {
        if (answered || p.phase !== 'finding candidates') return;
        answered = engine.call('status', {});
        void engine.call('cancelJob', { jobId: p.jobId });
      });
      let statusFirst = false;
      const search = engine.call('duplicates', ALL);
      await new Promise<void>((resolve) => {
        const wait = () => (answered ? void answered.then(() => (statusFirst = true)).finally(resolve) : setImmediate(wait));
        wait();
      });
      await expect(search).rejects.toThrow(CANCELLED_DUPLICATES);
      seen.off();
      expect(statusFirst).toBe(true);
      expect(seen.events.at(-1)!.state).toBe('cancelled');
      expect(seen.events.some((p) => p.phase === 'comparing pixels')).toBe(false);
    } finally {
      await engine.close();
    }
  }, 300_000);

  it('cancelled midway, ends as cancelled; what it stored agrees with a whole run, and the next search answers as a whole run does', async () => {
    const engine = await library('cancelled');
    try {
      let asked = false;
      const seen = watch(engine, (p) => {
        if (!asked && p.phase === 'comparing pixels' && p.done > 0) {
          asked = true;
          void engine.call('cancelJob', { jobId: p.jobId });
        }
      });
      await expect(engine.call('duplicates', ALL)).rejects.toThrow(CANCELLED_DUPLICATES);
      seen.off();
      expect(asked).toBe(true);
      expect(seen.events.at(-1)!.state).toBe('cancelled');
      const kept = storedVerdicts(engine);
      expect(kept.size).toBeGreaterThan(0);
      for (const [pair, ok] of kept) expect(full.verdicts.get(pair), pair).toBe(ok);
    } finally {
      await engine.close();
    }
    // Killed there (closed), the next engine goes on from the pairs it found: it does not find
    // them again, compares only the pairs left, and answers as a whole run does.
    const next = await Engine.open(path.join(work, 'cancelled'));
    try {
      const seen = watch(next);
      expect(names(await next.call('duplicates', ALL))).toEqual(names(full.groups));
      seen.off();
      const phases = new Set(seen.events.filter((p) => p.state === 'running').map((p) => p.phase));
      expect(phases.has('finding candidates')).toBe(false);
      const comparing = seen.events.filter((p) => p.phase === 'comparing pixels');
      const total = full.events.find((p) => p.phase === 'comparing pixels')!.total!;
      expect(comparing[0].total).toBeLessThan(total);
    } finally {
      await next.close();
    }
  }, 300_000);

  it('after a restart, asked again with the photos unchanged, finds no pair again and answers the same groups; a damaged kept search is searched whole', async () => {
    const first = await library('restart');
    const dir = first.catalog.paths.features;
    const phasesOf = async (engine: Engine) => {
      const seen = watch(engine);
      const groups = await engine.call('duplicates', ALL);
      seen.off();
      const compared = seen.events.filter((p) => p.phase === 'comparing pixels').map((p) => p.total);
      return { groups, compared, phases: [...new Set(seen.events.filter((p) => p.state === 'running').map((p) => p.phase))] };
    };
    try {
      expect(names((await phasesOf(first)).groups)).toEqual(names(full.groups));
    } finally {
      await first.close();
    }
    const reopened = await Engine.open(path.join(work, 'restart'));
    try {
      const again = await phasesOf(reopened);
      expect(names(again.groups)).toEqual(names(full.groups));
      for (const phase of ['reading descriptors', 'finding candidates', 'reading layouts', 'comparing layouts', 'comparing pixels'] as const) expect(again.phases).not.toContain(phase);
    } finally {
      await reopened.close();
    }
    // The kept search damaged (one byte changed): read as none, the search runs whole, as right.
    const [kept] = readdirSync(dir).filter((f) => f.startsWith('duplicate-search-'));
    const bytes = readFileSync(path.join(dir, kept));
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(path.join(dir, kept), bytes);
    const damaged = await Engine.open(path.join(work, 'restart'));
    try {
      const whole = await phasesOf(damaged);
      expect(whole.phases).toContain('finding candidates');
      expect(whole.compared.every((total) => total === 0)).toBe(true); // every verdict was stored
      expect(names(whole.groups)).toEqual(names(full.groups));
    } finally {
      await damaged.close();
    }
  }, 300_000);

  it('answers when its search cannot be kept for next time (the file cannot be written), and says so', async () => {
    const engine = await library('unkept');
    const said: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void said.push(args.join(' ')));
    try {
      // A folder where the kept search's file would go: it cannot be written over.
      mkdirSync(savedSearchFile(engine.catalog.paths.features, ALL.threshold));
      expect(names(await engine.call('duplicates', ALL))).toEqual(names(full.groups));
      expect(said.some((s) => s.includes('could not be kept for next time'))).toBe(true);
    } finally {
      warn.mockRestore();
      await engine.close();
    }
  }, 300_000);

  it('asked again with the photos unchanged, answers the same groups at once; a photo added is searched again', async () => {
    const engine = await library('again');
    try {
      const phasesOf = async () => {
        const seen = watch(engine);
        const groups = await engine.call('duplicates', ALL);
        seen.off();
        return { groups, phases: [...new Set(seen.events.filter((p) => p.state === 'running').map((p) => p.phase))] };
      };
      const first = await phasesOf();
      expect(names(first.groups)).toEqual(names(full.groups));
      const again = await phasesOf();
      expect(names(again.groups)).toEqual(names(full.groups));
      expect(again.phases).not.toContain('finding candidates');
      // Another strictness is another search.
      expect((await engine.call('duplicates', { threshold: 0.999 })).length).toBeLessThanOrEqual(first.groups.length);
      const more = path.join(work, 'more');
      mkdirSync(more, { recursive: true });
      writeFileSync(path.join(more, 'scene-q70.jpg'), await sharp(await sceneJpeg(1, 3)).jpeg({ quality: 70 }).toBuffer());
      expect((await importFolder(engine, more)).state).toBe('done');
      const seen = watch(engine);
      const grown = await engine.call('duplicates', ALL);
      seen.off();
      expect(names(grown)).toContainEqual('scene-q50.jpg scene-q70.jpg scene-small.jpg scene.jpg');
      // Only the photo added looked for its nearest: the others' pairs, and verdicts, were kept.
      expect(seen.events.filter((p) => p.phase === 'finding candidates').map((p) => p.total)).toContain(1);
      expect(seen.events.filter((p) => p.phase === 'finding candidates').every((p) => p.total === 1)).toBe(true);
      // The same groups as a whole search of the grown library.
      const whole = await Engine.open(path.join(work, 'again-whole'));
      try {
        expect((await importFolder(whole, path.join(work, 'photos'))).state).toBe('done');
        expect((await importFolder(whole, more)).state).toBe('done');
        expect(names(await whole.call('duplicates', ALL))).toEqual(names(grown));
      } finally {
        await whole.close();
      }
    } finally {
      await engine.close();
    }
  }, 300_000);

  it('is cancelled by Ctrl-C in the CLI, which shows its progress meanwhile', async () => {
    const engine = await library('interrupted');
    try {
      const shown: JobProgress[] = [];
      let pressed = false;
      const listeners = process.listenerCount('SIGINT');
      const out: Output = {
        json: false,
        result: () => undefined,
        endProgress: () => undefined,
        progress: (p) => {
          shown.push(p);
          if (pressed || p.phase !== 'comparing pixels' || p.done === 0) return;
          pressed = true;
          process.emit('SIGINT');
        },
      };
      const seen = watch(engine);
      await expect(callShowingJob(engine, 'duplicates', out, () => engine.call('duplicates', ALL))).rejects.toThrow(CANCELLED_DUPLICATES);
      seen.off();
      expect(shown.some((p) => p.phase === 'comparing pixels')).toBe(true);
      expect(seen.events.at(-1)!.state).toBe('cancelled');
      expect(pressed).toBe(true);
      expect(process.listenerCount('SIGINT')).toBe(listeners);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
