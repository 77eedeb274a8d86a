// The main window's size and position, remembered between runs in a small JSON file in the
// user-data folder. What is read back is validated and moved onto a display that exists now:
// a monitor unplugged since the last run must not leave the window off screen.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** Absent on first run: the window is then centred by the OS. */
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface ScreenLike {
  getAllDisplays(): { workArea: Rect }[];
  getPrimaryDisplay(): { workArea: Rect };
}

export const DEFAULT_SIZE = { width: 1280, height: 820 } as const;
export const MIN_SIZE = { width: 640, height: 420 } as const;
/** How much of the window must lie on a display for it to count as reachable. */
const MIN_VISIBLE = 80;

const savedState = z.object({
  x: z.number().int().finite(),
  y: z.number().int().finite(),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean().default(false),
});

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return { w: Math.max(0, w), h: Math.max(0, h) };
}

/**
 * Fits saved bounds to today's displays: kept where they are when enough of the window shows
 * on some display (shrunk to fit it), otherwise centred on the primary display.
 */
export function clampToDisplays(bounds: Rect, screen: ScreenLike): Rect {
  const displays = screen.getAllDisplays().map((d) => d.workArea);
  const visible = displays
    .map((area) => ({ area, ...overlap(bounds, area) }))
    .filter((o) => o.w >= Math.min(MIN_VISIBLE, bounds.width) && o.h >= Math.min(MIN_VISIBLE, bounds.height))
    .sort((a, b) => b.w * b.h - a.w * a.h)[0];
  const area = visible?.area ?? screen.getPrimaryDisplay().workArea;
  const width = Math.max(Math.min(bounds.width, area.width), Math.min(MIN_SIZE.width, area.width));
  const height = Math.max(Math.min(bounds.height, area.height), Math.min(MIN_SIZE.height, area.height));
  if (!visible) {
    return {
      x: area.x + Math.round((area.width - width) / 2),
      y: area.y + Math.round((area.height - height) / 2),
      width,
      height,
    };
  }
  // Keep the title bar reachable: the top edge inside the display, the window inside it.
  const x = Math.min(Math.max(bounds.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(bounds.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

/** The state to open the window with: the saved one when valid, else the default size. */
export function loadWindowState(file: string, screen: ScreenLike): WindowState {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { ...DEFAULT_SIZE, maximized: false };
  }
  const parsed = savedState.safeParse(raw);
  if (!parsed.success) return { ...DEFAULT_SIZE, maximized: false };
  const { maximized, ...bounds } = parsed.data;
  return { ...clampToDisplays(bounds, screen), maximized };
}

/** Writes through a temporary file, so a crash mid-write never leaves half a JSON file. */
export function saveWindowState(file: string, state: Rect & { maximized: boolean }): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

export interface TrackedWindowLike {
  on(event: 'resize' | 'move' | 'close', listener: () => void): void;
  getNormalBounds(): Rect;
  isMaximized(): boolean;
  isMinimized(): boolean;
  isDestroyed(): boolean;
}

/**
 * Saves the window's state shortly after it stops moving or resizing, and once more when it
 * closes. The normal (restored) bounds are saved, so un-maximizing next run lands somewhere sane.
 */
export function trackWindowState(win: TrackedWindowLike, file: string, delayMs = 500): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    if (win.isDestroyed() || win.isMinimized()) return;
    try {
      saveWindowState(file, { ...win.getNormalBounds(), maximized: win.isMaximized() });
    } catch (err) {
      // Losing the window position is not worth bothering the user about.
      console.warn(`could not save the window position: ${(err as Error).message}`);
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, delayMs);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
  return save;
}
