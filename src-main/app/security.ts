// App-wide guards beyond the main window's own options: the page may ask for no permission
// (camera, notifications, geolocation, clipboard reads, ...), and any webContents that comes
// to exist (a devtools pane, a future window) gets the same navigation and window guards.
import { hardenWebContents, type WebContentsLike } from './window.js';

export interface SessionLike {
  setPermissionRequestHandler(
    handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
}

export interface AppEventsLike {
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
}

/** Lookalike needs no browser permission at all: every request and check is refused. */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function guardNewWebContents(app: AppEventsLike): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
