// An engine that never became ready is not restarted behind the caller's back; one that
// crashes after it was ready is.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EngineProcess, type ProcessPort } from '../../../src-main/link/engine-process.js';
import type { FromEngine } from '../../../src-main/link/protocol.js';
import { guardedSpawner } from '../../../src-main/app/engine-spawn.js';

/**
 * A fake engine process: either exits at once (cannot open its library) or says ready.
 * `told` resolves once every listener has heard that first exit or ready.
 */
function fakeProcess(behaviour: 'fails' | 'starts'): ProcessPort & { crash(code: number): void; told: Promise<void> } {
  const ev = new EventEmitter();
  const told = new Promise<void>((resolve) =>
    setTimeout(() => {
      if (behaviour === 'fails') ev.emit('exit', 1);
      else ev.emit('message', { type: 'ready' });
      resolve();
    }, 0),
  );
  return {
    told,
    send: () => undefined,
    onMessage: (l: (m: FromEngine) => void) => ev.on('message', l),
    onExit: (l: (c: number | null) => void) => ev.on('exit', l),
    kill: () => ev.emit('exit', null),
    crash: (code) => ev.emit('exit', code),
  };
}

describe('guardedSpawner', () => {
  it('does not keep relaunching an engine that failed to start', async () => {
    const spawned: ReturnType<typeof fakeProcess>[] = [];
    const guard = guardedSpawner(() => {
      const p = fakeProcess('fails');
      spawned.push(p);
      return p;
    });
    const restarts: string[] = [];
    await expect(EngineProcess.start('/unwritable', { spawner: guard.spawner, onRestart: (m) => restarts.push(m) })).rejects.toThrow(/before it was ready/);
    // Every listener has heard the exit: whatever the link does about it, it has decided.
    await spawned[0].told;
    expect(spawned).toHaveLength(1);
    expect(restarts).toEqual([]);
    expect(guard.everReady()).toBe(false);
  });

  it('restarts an engine that crashed after it was ready', async () => {
    const ports: ReturnType<typeof fakeProcess>[] = [];
    const guard = guardedSpawner(() => {
      const p = fakeProcess('starts');
      ports.push(p);
      return p;
    });
    let restarted!: (message: string) => void;
    const restart = new Promise<string>((r) => (restarted = r));
    await EngineProcess.start('/lib', { spawner: guard.spawner, onRestart: (m) => restarted(m) });
    expect(guard.everReady()).toBe(true);
    ports[0].crash(139);
    expect(await restart).toMatch(/exit code 139/);
    expect(ports).toHaveLength(2);
  });
});
