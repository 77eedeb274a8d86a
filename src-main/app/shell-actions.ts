// What the menu's items do. Each goes through the contract (validated like a call from the
// page) or through the library engine; failures end in a message box, never an unhandled
// rejection in the main process.
import { parseRequest, type Status } from '../../src-shared/contract.js';
import type { EngineLink } from '../link/engine-link.js';
import type { MenuActions } from './menu.js';

export interface OpenDialogOptionsLike {
  title: string;
  buttonLabel?: string;
  defaultPath?: string;
  properties: ('openDirectory' | 'multiSelections' | 'createDirectory')[];
}

export interface MessageBoxOptionsLike {
  type: 'info' | 'warning' | 'error';
  title: string;
  message: string;
  detail?: string;
  buttons?: string[];
}

/** Electron's dialog module with the parent window already chosen. */
export interface DialogLike {
  showOpenDialog(options: OpenDialogOptionsLike): Promise<{ canceled: boolean; filePaths: string[] }>;
  showMessageBox(options: MessageBoxOptionsLike): Promise<{ response: number }>;
}

export interface Versions {
  app: string;
  electron?: string;
  node?: string;
  chrome?: string;
}

export interface ShellDeps {
  dialog: DialogLike;
  engine: EngineLink;
  /** The library folder open now, and how to open another one (restarts the engine). */
  library(): string;
  switchLibrary(dir: string): Promise<void>;
  versions: Versions;
  quit(): void;
}

/** The About box's text: versions, the compute backend (and why faster ones were skipped). */
export function aboutDetail(versions: Versions, status: Status | null): string {
  const lines = [
    `Version ${versions.app}`,
    `Electron ${versions.electron ?? '?'}, Node ${versions.node ?? '?'}, Chrome ${versions.chrome ?? '?'}`,
  ];
  if (!status) {
    lines.push('Compute backend: unknown (the engine did not answer)');
  } else {
    const b = status.backend;
    lines.push(b ? `Compute backend: ${b.name} (${b.detail})` : 'Compute backend: not loaded yet');
    for (const s of b?.skipped ?? []) lines.push(`  skipped ${s.name}: ${s.reason}`);
    lines.push(`Library: ${status.library}`, `Photos: ${status.images}`);
  }
  return lines.join('\n');
}

/** The native picker for photo folders to add (several at once); [] when cancelled. */
export async function pickPhotoFolders(dialog: DialogLike): Promise<string[]> {
  const picked = await dialog.showOpenDialog({
    title: 'Add photo folders',
    buttonLabel: 'Add',
    properties: ['openDirectory', 'multiSelections'],
  });
  return picked.canceled ? [] : picked.filePaths;
}

export function createShellActions(deps: ShellDeps): MenuActions {
  const fail = async (what: string, err: unknown) => {
    await deps.dialog.showMessageBox({
      type: 'error',
      title: 'Lookalike',
      message: what,
      detail: (err as Error)?.message ?? String(err),
    });
  };

  return {
    async addFolders() {
      const paths = await pickPhotoFolders(deps.dialog);
      if (paths.length === 0) return;
      const request = { paths };
      try {
        parseRequest('importFolders', request);
        await deps.engine.call('importFolders', request);
      } catch (err) {
        await fail('Could not add the folders.', err);
      }
    },

    async openLibrary() {
      const picked = await deps.dialog.showOpenDialog({
        title: 'Open a library folder (an empty folder starts a new library)',
        buttonLabel: 'Open Library',
        defaultPath: deps.library(),
        properties: ['openDirectory', 'createDirectory'],
      });
      const dir = picked.filePaths[0];
      if (picked.canceled || !dir || dir === deps.library()) return;
      try {
        await deps.switchLibrary(dir);
      } catch (err) {
        await fail(`Could not open the library in ${dir}; the current one stays open.`, err);
      }
    },

    async about() {
      let status: Status | null = null;
      try {
        status = await deps.engine.call('status', {});
      } catch {
        status = null;
      }
      await deps.dialog.showMessageBox({
        type: 'info',
        title: 'About Lookalike',
        message: `Lookalike ${deps.versions.app}`,
        detail: aboutDetail(deps.versions, status),
        buttons: ['OK'],
      });
    },

    quit() {
      deps.quit();
    },
  };
}
