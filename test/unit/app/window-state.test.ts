// The window comes back where the user left it, and never off screen.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  clampToDisplays,
  DEFAULT_SIZE,
  loadWindowState,
  trackWindowState,
  type Rect,
  type ScreenLike,
} from '../../../src-main/app/window-state.js';

const laptop: Rect = { x: 0, y: 0, width: 1440, height: 900 };
const external: Rect = { x: 1440, y: -200, width: 2560, height: 1440 };

function screenOf(...areas: Rect[]): ScreenLike {
  return { getAllDisplays: () => areas.map((workArea) => ({ workArea })), getPrimaryDisplay: () => ({ workArea: areas[0] }) };
}

function tempFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lookalike-winstate-')), 'window-state.json');
}

describe('window position clamping', () => {
  it('keeps a window that is on a connected display where it was', () => {
    const b = { x: 1600, y: 0, width: 1200, height: 800 };
    expect(clampToDisplays(b, screenOf(laptop, external))).toEqual(b);
  });

  it('centres a window left on a display that is gone on the primary display', () => {
    const out = clampToDisplays({ x: 1600, y: 0, width: 1200, height: 800 }, screenOf(laptop));
    expect(out).toEqual({ x: 120, y: 50, width: 1200, height: 800 });
  });

  it('shrinks a window larger than its display and pulls a half-off window back in', () => {
    const out = clampToDisplays({ x: -300, y: 500, width: 3000, height: 700 }, screenOf(laptop));
    expect(out).toEqual({ x: 0, y: 200, width: 1440, height: 700 });
  });

  it('treats a window with only a sliver on screen as lost', () => {
    const out = clampToDisplays({ x: 1420, y: 100, width: 800, height: 600 }, screenOf(laptop));
    expect(out.x + out.width).toBeLessThanOrEqual(1440);
    expect(out).toEqual({ x: 320, y: 150, width: 800, height: 600 });
  });
});

describe('window state file', () => {
  afterEach(() => vi.useRealTimers());

  it('opens at the default size when nothing or nonsense was saved', () => {
    const file = tempFile();
    expect(loadWindowState(file, screenOf(laptop))).toEqual({ ...DEFAULT_SIZE, maximized: false });
    for (const junk of ['{not json', '[]', '{"x":"1","y":0,"width":800,"height":600}', '{"x":0,"y":0,"width":-5,"height":600}', '{"x":1e400,"y":0,"width":800,"height":600}']) {
      fs.writeFileSync(file, junk);
      expect(loadWindowState(file, screenOf(laptop)), junk).toEqual({ ...DEFAULT_SIZE, maximized: false });
    }
  });

  it('saves the bounds after the window stops moving and on close, and restores them', () => {
    vi.useFakeTimers();
    const file = tempFile();
    let bounds: Rect = { x: 100, y: 80, width: 1000, height: 700 };
    let maximized = false;
    const win = Object.assign(new EventEmitter(), {
      getNormalBounds: () => bounds,
      isMaximized: () => maximized,
      isMinimized: () => false,
      isDestroyed: () => false,
    });
    trackWindowState(win, file, 500);
    win.emit('move');
    bounds = { x: 200, y: 90, width: 1000, height: 700 };
    win.emit('resize');
    expect(fs.existsSync(file)).toBe(false); // debounced: nothing written while still moving
    vi.advanceTimersByTime(600);
    expect(loadWindowState(file, screenOf(laptop))).toEqual({ ...bounds, maximized: false });

    maximized = true;
    bounds = { x: 300, y: 100, width: 900, height: 600 };
    win.emit('close');
    expect(loadWindowState(file, screenOf(laptop))).toEqual({ ...bounds, maximized: true });
    // Restored onto a display that now exists, even if the saved spot is gone.
    expect(loadWindowState(file, screenOf({ x: 5000, y: 0, width: 1920, height: 1080 }))).toEqual({
      x: 5510,
      y: 240,
      width: 900,
      height: 600,
      maximized: true,
    });
  });

  it('does not save a minimized window (its bounds are meaningless)', () => {
    const file = tempFile();
    const win = Object.assign(new EventEmitter(), {
      getNormalBounds: () => ({ x: -32000, y: -32000, width: 160, height: 28 }),
      isMaximized: () => false,
      isMinimized: () => true,
      isDestroyed: () => false,
    });
    trackWindowState(win, file);
    win.emit('close');
    expect(fs.existsSync(file)).toBe(false);
  });
});
