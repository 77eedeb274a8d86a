// An engine that never became ready is not restarted behind the caller's back; one that
// crashes after it was ready is.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { EngineProcess, type ProcessPort } from '../../../src-main/link/engine-process.js';
import type { FromEngine } from '../../../src-main/link/protocol.js';
import { guardedSpawner } from '../../../src-main/app/engine-spawn.js';

/** A fake engine process: either exits at once (cannot open its library) or says ready. */
function fakeProcess(behaviour: 'fails' | 'starts'): ProcessPort & { crash(code: number): void } {
  const ev = new EventEmitter();
  setTimeout(() => (behaviour === 'fails' ? ev.emit('exit', 1) : ev.emit('message', { type: 'ready' })), 0);
  return {
    send: () => undefined,
    onMessage: (l: (m: FromEngine) => void) => ev.on('message', l),
    onExit: (l: (c: number | null) => void) => ev.on('exit', l),
    kill: () => ev.emit('exit', null),
    crash: (code) => ev.emit('exit', code),
  };
}

describe('guardedSpawner', () => {
  it('does not keep relaunching an engine that failed to start', async () => {
    let spawned = 0;
    const guard = guardedSpawner(() => {
      spawned++;
      return fakeProcess('fails');
    });
    await expect(EngineProcess.start('/unwritable', { spawner: guard.spawner })).rejects.toThrow(/before it was ready/);
    await new Promise((r) => setTimeout(r, 30));
    expect(spawned).toBe(1);
    expect(guard.everReady()).toBe(false);
  });

  it('restarts an engine that crashed after it was ready', async () => {
    const ports: ReturnType<typeof fakeProcess>[] = [];
    const guard = guardedSpawner(() => {
      const p = fakeProcess('starts');
      ports.push(p);
      return p;
    });
    const restarts: string[] = [];
    await EngineProcess.start('/lib', { spawner: guard.spawner, onRestart: (m) => restarts.push(m) });
    expect(guard.everReady()).toBe(true);
    ports[0].crash(139);
    await new Promise((r) => setTimeout(r, 10));
    expect(ports).toHaveLength(2);
    expect(restarts[0]).toMatch(/exit code 139/);
  });
});
