// Main-process routing: one handler per contract method, each checking its sender and
// validating its request before the engine sees it.
import { shellChannel } from '../../src-shared/channels.js';
import { channel, ContractError, methods, parseRequest } from '../../src-shared/contract.js';
import type { EngineLink } from '../link/engine-link.js';

export interface IpcMainLike {
  handle(channel: string, handler: (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>): void;
}

export interface IpcEventLike {
  senderFrame: { url: string } | null;
}

/** Only our own page, served from lookalike://app/, may call the engine. */
export function isTrustedSender(event: IpcEventLike): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith(channel.protocolApp);
}

export function registerIpc(ipcMain: IpcMainLike, engine: EngineLink): void {
  for (const method of methods) {
    ipcMain.handle(channel.call(method), async (event, request) => {
      try {
        if (!isTrustedSender(event)) throw new ContractError('refused: unknown sender', 'bad-request');
        parseRequest(method, request);
        return { ok: true, result: await engine.relay(method, request) };
      } catch (err) {
        const e = err instanceof ContractError ? err : new ContractError((err as Error)?.message ?? String(err));
        return { ok: false, error: { message: e.message, code: e.code } };
      }
    });
  }
}

/** What the shell itself answers for the page (native dialogs), outside the engine's contract. */
export interface ShellServices {
  pickFolders(): Promise<string[]>;
}

export function registerShellIpc(ipcMain: IpcMainLike, shell: ShellServices): void {
  ipcMain.handle(shellChannel.pickFolders, async (event) => {
    if (!isTrustedSender(event)) return { ok: false, error: { message: 'refused: unknown sender', code: 'bad-request' } };
    try {
      return { ok: true, result: await shell.pickFolders() };
    } catch (err) {
      return { ok: false, error: { message: (err as Error)?.message ?? String(err), code: 'failed' } };
    }
  });
}
