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
    },
  };
}

export interface WebContentsLike {
  on(event: 'will-navigate', listener: (e: { preventDefault(): void }, url: string) => void): void;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
}

export function hardenWebContents(contents: WebContentsLike): void {
  contents.on('will-navigate', (e, url) => {
    if (!url.startsWith(channel.protocolApp)) e.preventDefault();
  });
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
