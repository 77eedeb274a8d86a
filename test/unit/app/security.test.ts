// Permissions, navigation, new windows and <webview>: refused for every webContents.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ALLOWED_PERMISSIONS, denyAllPermissions, guardNewWebContents, type SessionLike } from '../../../src-main/app/security.js';
import { CSP, windowOptions, type WebContentsLike } from '../../../src-main/app/window.js';

function fakeContents() {
  const contents = Object.assign(new EventEmitter(), {
    openHandler: undefined as undefined | ((d: { url: string }) => { action: string }),
    setWindowOpenHandler(h: (d: { url: string }) => { action: 'deny' | 'allow' }) {
      contents.openHandler = h;
    },
  });
  return contents;
}

function prevented(contents: EventEmitter, event: string, ...args: unknown[]): boolean {
  let p = false;
  contents.emit(event, { preventDefault: () => (p = true) }, ...args);
  return p;
}

describe('security guards', () => {
  it('denies every permission request and check but clipboard writes from our own page', () => {
    let request: Parameters<SessionLike['setPermissionRequestHandler']>[0] = null;
    let check: Parameters<SessionLike['setPermissionCheckHandler']>[0] = null;
    denyAllPermissions({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    const ask = (permission: string, requestingUrl: string) => {
      let granted: boolean | undefined;
      request!({}, permission, (g) => (granted = g), { requestingUrl });
      return granted;
    };
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fileSystem', 'fullscreen', 'unknown']) {
      expect(ask(permission, 'lookalike://app/index.html'), permission).toBe(false);
      expect(check!({}, permission, 'lookalike://app'), permission).toBe(false);
    }
    expect(ask('clipboard-sanitized-write', 'lookalike://app/index.html')).toBe(true);
    expect(check!({}, 'clipboard-sanitized-write', 'lookalike://app')).toBe(true);
    for (const foreign of ['https://evil.example/', 'lookalike://app.evil/', 'lookalike://media/thumb/1', 'file:///x', '']) {
      expect(ask('clipboard-sanitized-write', foreign), foreign).toBe(false);
      expect(check!({}, 'clipboard-sanitized-write', foreign), foreign).toBe(false);
    }
    expect(ALLOWED_PERMISSIONS.size).toBe(1);
  });

  it('guards every webContents created later: navigation away, redirects, new windows, webviews', () => {
    const app = new EventEmitter();
    guardNewWebContents(app as never);
    const contents = fakeContents();
    app.emit('web-contents-created', {}, contents as unknown as WebContentsLike);
    expect(prevented(contents, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented(contents, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented(contents, 'will-redirect', 'https://evil.example/')).toBe(true);
    expect(prevented(contents, 'will-navigate', 'lookalike://app/index.html')).toBe(false);
    expect(prevented(contents, 'will-attach-webview', {}, {})).toBe(true);
    expect(contents.openHandler?.({ url: 'lookalike://app/index.html' })).toEqual({ action: 'deny' });
  });

  it('opens windows isolated, sandboxed, without Node, webviews or drop-navigation', () => {
    const prefs = windowOptions('/app/preload.cjs', { width: 800, height: 600 }).webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    });
  });

  it('has a CSP that allows only our own origin for scripts, and no file:, http or eval', () => {
    const directives = new Map(CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(CSP).not.toMatch(/unsafe-eval|file:|https?:|\*/);
  });
});
