// The verbs the preload exposes as `window.lookalike`: one per contract method, plus events,
// media URLs and the path of a dropped file. Built from the method list, never from raw
// ipcRenderer access, so the page can reach nothing else.
import { channel, methodNames, shellChannel, type MediaKind } from '../../src-shared/channels.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export interface WebUtilsLike {
  getPathForFile(file: never): string;
}

interface Envelope {
  ok: boolean;
  result?: unknown;
  error?: { message: string; code: string };
}

export function buildPreloadApi(ipc: IpcRendererLike, webUtils: WebUtilsLike) {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  ipc.on(channel.event, (_e, message) => {
    const { name, payload } = message as { name: string; payload: unknown };
    for (const l of listeners.get(name) ?? []) l(payload);
  });

  // Errors cross the bridge as data: Electron would otherwise strip their message.
  const invoke = async (ch: string, request: unknown) => {
    const reply = (await ipc.invoke(ch, request)) as Envelope;
    if (!reply.ok) {
      const err = new Error(reply.error?.message ?? 'failed');
      (err as Error & { code?: string }).code = reply.error?.code;
      throw err;
    }
    return reply.result;
  };

  const api: Record<string, unknown> = {};
  for (const m of methodNames) {
    api[m] = (request: unknown) => invoke(channel.call(m), request ?? {});
  }
  return {
    ...api,
    transport: 'electron' as const,
    on(event: string, listener: (payload: unknown) => void) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
    mediaUrl: (kind: MediaKind, id: number) => channel.protocolMedia(kind, id),
    /** Desktop only: the native folder picker (several folders); [] when cancelled. */
    pickFolders: async (): Promise<string[]> => (await invoke(shellChannel.pickFolders, {})) as string[],
    pathForFile(file: unknown): string | null {
      try {
        return webUtils.getPathForFile(file as never) || null;
      } catch {
        return null;
      }
    },
  };
}
