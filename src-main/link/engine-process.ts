// The host's side of an engine running in another process: sends requests with sequence
// numbers, matches responses, relays events, and restarts the engine if it dies.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import { ContractError, type JobProgress, type MediaKind, type Method, type Request, type Response } from '../../src-shared/contract.js';
import type { EngineLink, EventListener } from './engine-link.js';
import { errorFromInfo, type FromEngine, type ToEngine } from './protocol.js';

/** A running process that speaks the protocol; Node's fork here, utilityProcess in Electron. */
export interface ProcessPort {
  send(message: ToEngine): void;
  onMessage(listener: (message: FromEngine) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export type Spawner = (entry: string, libraryDir: string) => ProcessPort;

/**
 * The engine process's entry, src-main/engine/main, in TypeScript (run through tsx) or compiled
 * JS like this file. Named by path, not imported: the link never loads the engine itself.
 */
export function engineEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return path.join(path.dirname(here), '..', 'engine', `main${path.extname(here)}`);
}

/**
 * tsx's loader, found from this file rather than from the working directory: a bare
 * `--import tsx` resolves against the cwd and fails when `lookalike serve` runs elsewhere.
 */
export function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export const forkSpawner: Spawner = (entry, libraryDir) => {
  const execArgv = entry.endsWith('.ts') ? ['--import', tsxLoaderUrl()] : [];
  const child = fork(entry, [libraryDir], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    send: (m) => {
      if (child.connected) child.send(m);
    },
    onMessage: (l) => child.on('message', (m) => l(m as FromEngine)),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => child.kill(),
  };
};

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export interface EngineProcessOptions {
  spawner?: Spawner;
  /** Called when the engine died and was started again, with a message for the user. */
  onRestart?: (message: string) => void;
}

export class EngineProcess implements EngineLink {
  private port!: ProcessPort;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<EventListener>();
  private closing = false;
  private ready!: Promise<void>;
  private wasReady = false;
  private readonly restarts: number[] = [];
  /** Jobs the engine said are queued or running, by id: ended as failed if no engine takes them up. */
  private readonly unfinished = new Map<number, JobProgress>();

  private constructor(
    private readonly libraryDir: string,
    private readonly opts: EngineProcessOptions,
  ) {}

  static async start(libraryDir: string, opts: EngineProcessOptions = {}): Promise<EngineProcess> {
    const engine = new EngineProcess(libraryDir, opts);
    engine.launch();
    await engine.ready;
    return engine;
  }

  private launch(): void {
    const port = (this.opts.spawner ?? forkSpawner)(engineEntry(), this.libraryDir);
    this.port = port;
    this.ready = new Promise((resolve, reject) => {
      port.onExit((code) => reject(new Error(`the engine exited before it was ready (code ${code})`)));
      port.onMessage((m) => {
        if (m.type === 'ready') {
          this.wasReady = true;
          resolve();
        }
        else if (m.type === 'response') {
          const p = this.pending.get(m.seq);
          if (!p) return;
          this.pending.delete(m.seq);
          if (m.ok) p.resolve(m.result);
          else p.reject(errorFromInfo(m.error));
        } else if (m.type === 'event') {
          if (m.name === 'jobProgress') this.track(m.payload as JobProgress);
          for (const l of this.listeners) l(m.name, m.payload);
        }
      });
    });
    this.ready.catch(() => undefined);
    port.onExit((code) => this.onExit(port, code));
  }

  private track(p: JobProgress): void {
    if (p.state === 'queued' || p.state === 'running') this.unfinished.set(p.jobId, p);
    else this.unfinished.delete(p.jobId);
  }

  /**
   * No engine will take up the jobs the dead one left: they end, as failed, with the reason, so
   * whoever waits for one (a command sent through `lookalike serve`) stops waiting.
   */
  private abandonJobs(reason: string): void {
    const jobs = [...this.unfinished.values()];
    this.unfinished.clear();
    for (const job of jobs) {
      const p: JobProgress = { ...job, state: 'failed', rate: null, etaSeconds: null, message: reason, result: { kind: 'error', message: reason } };
      for (const l of this.listeners) l('jobProgress', p);
    }
  }

  private onExit(port: ProcessPort, code: number | null): void {
    if (port !== this.port) return;
    for (const p of this.pending.values()) {
      p.reject(new ContractError(`the engine stopped (exit code ${code}) while handling this request`));
    }
    this.pending.clear();
    // An engine that never became ready (a library it cannot open) is not relaunched, and
    // neither is one that keeps dying: both would only loop.
    if (this.closing || !this.wasReady) {
      this.abandonJobs(this.closing ? 'interrupted: the engine was shut down during this job' : `interrupted: the engine stopped (exit code ${code}) and could not be started again`);
      return;
    }
    const now = Date.now();
    while (this.restarts.length && now - this.restarts[0] > RESTART_WINDOW_MS) this.restarts.shift();
    if (this.restarts.length >= MAX_RESTARTS) {
      this.closing = true;
      this.ready = Promise.reject(new ContractError(`the engine keeps stopping (exit code ${code}); not restarting it again`));
      this.ready.catch(() => undefined);
      this.opts.onRestart?.(`The engine stopped ${MAX_RESTARTS + 1} times within a minute (exit code ${code}); it was not restarted.`);
      this.abandonJobs(`interrupted: the engine stopped ${MAX_RESTARTS + 1} times within a minute (exit code ${code}) and was not restarted`);
      return;
    }
    this.restarts.push(now);
    this.wasReady = false;
    this.opts.onRestart?.(`The engine stopped unexpectedly (exit code ${code}) and was restarted.`);
    this.launch();
  }

  async call<M extends Method>(method: M, input: Request<M>): Promise<Response<M>> {
    // The engine validated the request against the same contract that types the response.
    return (await this.relay(method, input)) as Response<M>;
  }

  relay(method: Method, input: unknown): Promise<unknown> {
    return this.send((seq) => ({ type: 'request', seq, method, input }));
  }

  async mediaFile(kind: MediaKind, id: number): Promise<string | null> {
    const file = await this.send((seq) => ({ type: 'media', seq, input: { kind, id } }));
    return typeof file === 'string' ? file : null;
  }

  private async send(message: (seq: number) => ToEngine): Promise<unknown> {
    await this.ready;
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.port.send(message(seq));
    });
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closing = true;
    const exited = new Promise<void>((resolve) => this.port.onExit(() => resolve()));
    this.port.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.port.kill(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
