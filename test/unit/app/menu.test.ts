// The native menu: what it offers on each platform, and that its actions reach the engine
// through the contract (validated), the library switcher, and message boxes.
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { Status } from '../../../src-shared/contract.js';

import { findMenuItem, menuTemplate, type MenuActions } from '../../../src-main/app/menu.js';
import { aboutDetail, createShellActions, type DialogLike, type ShellDeps } from '../../../src-main/app/shell-actions.js';
import { fakeLink } from '../../fixtures/fake-link.js';

const noop: MenuActions = { addFolders: async () => {}, openLibrary: async () => {}, about: async () => {}, quit: () => {} };

function labelsOf(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((i) => [i.label ?? i.role ?? i.type ?? '?', ...(Array.isArray(i.submenu) ? labelsOf(i.submenu) : [])]);
}

function click(item: MenuItemConstructorOptions | undefined): void {
  expect(item?.click, 'menu item has an action').toBeTypeOf('function');
  (item!.click as () => void)();
}

const status: Status = {
  version: '0.1.0',
  library: '/home/u/.config/Lookalike',
  backend: { name: 'wasm', detail: 'SIMD, 1 thread', skipped: [{ name: 'tensorflow', reason: 'not installed' }] },
  images: 42,
  embedded: 40,
  labels: 3,
  activeModel: null,
  modelProblem: null,
  notices: [],
};

function fakeDeps(overrides: Partial<ShellDeps> = {}, picked: string[] | null = ['/photos/a', '/photos/b']) {
  const calls: { method: string; input: unknown }[] = [];
  const boxes: Parameters<DialogLike['showMessageBox']>[0][] = [];
  const opened: Parameters<DialogLike['showOpenDialog']>[0][] = [];
  const engine = fakeLink((method, input) => {
    calls.push({ method, input });
    if (method === 'status') return status;
    return { jobId: 7 };
  });
  const dialog: DialogLike = {
    showOpenDialog: async (o) => {
      opened.push(o);
      return picked ? { canceled: false, filePaths: picked } : { canceled: true, filePaths: [] };
    },
    showMessageBox: async (o) => {
      boxes.push(o);
      return { response: 0 };
    },
  };
  const switched: string[] = [];
  const deps: ShellDeps = {
    dialog,
    engine,
    library: () => '/libs/current',
    switchLibrary: async (dir) => {
      switched.push(dir);
    },
    versions: { app: '0.1.0', electron: '45.5.0', node: '22.20.0', chrome: '140.0.7339.80' },
    quit: vi.fn(),
    ...overrides,
  };
  return { deps, calls, boxes, opened, switched };
}

describe('menu template', () => {
  it('offers File (add folder, open library, quit), Edit, View and Help > About on Linux and Windows', () => {
    const t = menuTemplate(noop, { dev: false, platform: 'linux', appName: 'Lookalike' });
    expect(t.map((m) => m.label ?? m.role)).toEqual(['&File', '&Edit', '&View', 'help']);
    for (const id of ['add-folder', 'open-library', 'quit', 'about']) expect(findMenuItem(t, id), id).toBeDefined();
    expect(labelsOf(t)).toEqual(expect.arrayContaining(['copy', 'paste', 'zoomIn', 'resetZoom', 'togglefullscreen']));
  });

  it('reloads and opens developer tools only in development', () => {
    const prod = labelsOf(menuTemplate(noop, { dev: false, platform: 'linux', appName: 'Lookalike' }));
    const dev = labelsOf(menuTemplate(noop, { dev: true, platform: 'linux', appName: 'Lookalike' }));
    expect(prod).not.toContain('reload');
    expect(prod).not.toContain('toggleDevTools');
    expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
  });

  it('puts About and Quit in the application menu on macOS', () => {
    const t = menuTemplate(noop, { dev: false, platform: 'darwin', appName: 'Lookalike' });
    expect(t[0].label).toBe('Lookalike');
    const appItems = t[0].submenu as MenuItemConstructorOptions[];
    expect(appItems.map((i) => i.id).filter(Boolean)).toEqual(['about', 'quit']);
    expect(findMenuItem(t.slice(1), 'quit')).toBeUndefined();
  });
});

describe('menu actions', () => {
  it('Add Folder… asks for several folders and imports them through the contract', async () => {
    const { deps, calls, opened } = fakeDeps();
    const t = menuTemplate(createShellActions(deps), { dev: false, platform: 'linux', appName: 'Lookalike' });
    click(findMenuItem(t, 'add-folder'));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(opened[0].properties).toEqual(expect.arrayContaining(['openDirectory', 'multiSelections']));
    expect(calls[0]).toEqual({ method: 'importFolders', input: { paths: ['/photos/a', '/photos/b'] } });
  });

  it('Add Folder… does nothing when the dialog is cancelled', async () => {
    const { deps, calls, opened } = fakeDeps({}, null);
    await createShellActions(deps).addFolders();
    expect(opened).toHaveLength(1);
    expect(calls).toEqual([]);
  });

  it('a failed import ends in an error box, not an unhandled rejection', async () => {
    const { deps, boxes } = fakeDeps();
    deps.engine.call = async () => {
      throw new Error('folder not found: /photos/a');
    };
    await createShellActions(deps).addFolders();
    expect(boxes).toHaveLength(1);
    expect(boxes[0]).toMatchObject({ type: 'error', detail: 'folder not found: /photos/a' });
  });

  it('Open Library… switches to the chosen folder, and not to the one already open', async () => {
    const { deps, switched, opened } = fakeDeps({}, ['/libs/other']);
    await createShellActions(deps).openLibrary();
    expect(opened[0].properties).toContain('openDirectory');
    expect(opened[0].properties).not.toContain('multiSelections');
    expect(switched).toEqual(['/libs/other']);

    const same = fakeDeps({}, ['/libs/current']);
    await createShellActions(same.deps).openLibrary();
    expect(same.switched).toEqual([]);
  });

  it('Open Library… that fails says so and keeps the current library', async () => {
    const { deps, boxes } = fakeDeps({ switchLibrary: async () => Promise.reject(new Error('EACCES: permission denied')) }, ['/root/x']);
    await createShellActions(deps).openLibrary();
    expect(boxes[0].type).toBe('error');
    expect(boxes[0].message).toMatch(/current one stays open/);
    expect(boxes[0].detail).toMatch(/EACCES/);
  });

  it('About shows the versions and the compute backend the engine reports', async () => {
    const { deps, boxes, calls } = fakeDeps();
    await createShellActions(deps).about();
    expect(calls).toEqual([{ method: 'status', input: {} }]);
    expect(boxes[0].title).toBe('About Lookalike');
    for (const part of ['0.1.0', 'Electron 45.5.0', 'Node 22.20.0', 'Chrome 140.0.7339.80', 'wasm (SIMD, 1 thread)', 'skipped tensorflow: not installed']) {
      expect(boxes[0].detail).toContain(part);
    }
  });

  it('About still opens when the engine does not answer', () => {
    expect(aboutDetail({ app: '0.1.0' }, null)).toMatch(/Compute backend: unknown/);
  });

  it('Quit quits', () => {
    const { deps } = fakeDeps();
    const t = menuTemplate(createShellActions(deps), { dev: false, platform: 'win32', appName: 'Lookalike' });
    click(findMenuItem(t, 'quit'));
    expect(deps.quit).toHaveBeenCalledOnce();
  });
});
