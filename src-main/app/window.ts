// The main window's options and guards: isolated, sandboxed, no Node, no navigation away,
// no new windows. The content security policy is sent with every page of ours.
import { channel } from '../../src-shared/contract.js';

export const CSP = [
  "default-src 'self'",
  `img-src 'self' ${channel.protocolScheme}: data: blob:`,
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export function windowOptions(preload: string, bounds: Bounds) {
  return {
    ...bounds,
    minWidth: 640,
    minHeight: 420,
    backgroundColor: '#14161b',
    title: 'Lookalike',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    },
  };
}

type Preventable = { preventDefault(): void };

export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (e: Preventable, url: string) => void): void;
  on(event: 'will-attach-webview', listener: (e: Preventable) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
}

/** Our own pages: only these may be navigated to, in any webContents. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(channel.protocolApp);
}

export function hardenWebContents(contents: WebContentsLike): void {
  const stayHome = (e: Preventable, url: string) => {
    if (!isAppUrl(url)) e.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  // No <webview>: it would be a second, unhardened browser inside ours.
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
