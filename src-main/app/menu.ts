// The native menu. Its items only name what they do; the actions behind them live in
// shell-actions.ts, so the menu can be checked without Electron.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  addFolders(): Promise<void>;
  openLibrary(): Promise<void>;
  about(): Promise<void>;
  quit(): void;
}

export interface MenuOptions {
  /** Reload and developer tools are for development builds only. */
  dev: boolean;
  platform: NodeJS.Platform;
  appName: string;
}

/** Runs an action from a click; a failed action is reported by the action itself. */
function run(action: () => Promise<void>): () => void {
  return () => {
    action().catch((err: unknown) => console.error(err));
  };
}

export function menuTemplate(actions: MenuActions, opts: MenuOptions): MenuItemConstructorOptions[] {
  const mac = opts.platform === 'darwin';
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { id: 'add-folder', label: 'Add Folder…', accelerator: 'CmdOrCtrl+O', click: run(actions.addFolders) },
      { id: 'open-library', label: 'Open Library…', accelerator: 'CmdOrCtrl+Shift+O', click: run(actions.openLibrary) },
      { type: 'separator' },
      // On macOS Quit lives in the application menu.
      ...(mac ? [] : [{ id: 'quit', label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() }]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: [
      { role: 'undo' },
      { role: 'redo' },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(opts.dev
        ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const about: MenuItemConstructorOptions = { id: 'about', label: `About ${opts.appName}`, click: run(actions.about) };
  const help: MenuItemConstructorOptions = { role: 'help', submenu: mac ? [] : [about] };
  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: opts.appName,
          submenu: [
            about,
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { id: 'quit', label: `Quit ${opts.appName}`, accelerator: 'Cmd+Q', click: () => actions.quit() },
          ],
        },
      ]
    : [];
  return [...appMenu, file, edit, view, ...(mac ? [{ role: 'windowMenu' } as MenuItemConstructorOptions] : []), help];
}

/** Depth-first search of a template by item id (tests and the app use it to find items). */
export function findMenuItem(items: MenuItemConstructorOptions[], id: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    if (Array.isArray(item.submenu)) {
      const found = findMenuItem(item.submenu, id);
      if (found) return found;
    }
  }
  return undefined;
}
