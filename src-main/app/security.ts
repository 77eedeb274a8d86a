// App-wide guards beyond the main window's own options: the page may ask for no permission
// (camera, notifications, geolocation, clipboard reads, ...) but one, and any webContents that
// comes to exist (a devtools pane, a future window) gets the same navigation and window guards.
import { hardenWebContents, isAppUrl, type WebContentsLike } from './window.js';

/**
 * The only permission our own page gets: writing plain text to the clipboard (the duplicates
 * view copies file paths). Chromium sanitises what is written; reading stays refused.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export interface SessionLike {
  setPermissionRequestHandler(
    handler:
      | ((webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void)
      | null,
  ): void;
  setPermissionCheckHandler(handler: ((webContents: unknown, permission: string, requestingOrigin: string) => boolean) | null): void;
}

export interface AppEventsLike {
  on(event: 'web-contents-created', listener: (event: unknown, contents: WebContentsLike) => void): void;
}

/** An origin ("lookalike://app") or a URL of it ("lookalike://app/index.html"). */
function isOurs(urlOrOrigin: string | undefined): boolean {
  if (!urlOrOrigin) return false;
  return isAppUrl(urlOrOrigin.endsWith('/') ? urlOrOrigin : `${urlOrOrigin}/`);
}

/** Every permission request and check is refused, except the allow-list, for our page only. */
export function denyAllPermissions(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(ALLOWED_PERMISSIONS.has(permission) && isOurs(details?.requestingUrl)),
  );
  session.setPermissionCheckHandler((_contents, permission, origin) => ALLOWED_PERMISSIONS.has(permission) && isOurs(origin));
}

export function guardNewWebContents(app: AppEventsLike): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
