// The engine of the library that is open now. "Open Library…" swaps the engine underneath
// without the IPC handlers, the protocol or the event subscribers noticing: they all hold this
// object, which forwards to whichever engine runs.
import type { EventName, Events, MediaKind, Method, Request, Response } from '../../src-shared/contract.js';
import type { EngineLink, EventListener } from '../link/engine-link.js';

/** Starts an engine on a library folder; resolves once it answers. */
export type EngineStarter = (libraryDir: string) => Promise<EngineLink>;

export class LibraryLink implements EngineLink {
  private readonly listeners = new Set<EventListener>();
  private unsubscribe: () => void = () => undefined;
  private switching: Promise<void> = Promise.resolve();

  private constructor(
    private engine: EngineLink,
    private dir: string,
    private readonly start: EngineStarter,
  ) {
    this.subscribe();
  }

  static async open(libraryDir: string, start: EngineStarter): Promise<LibraryLink> {
    return new LibraryLink(await start(libraryDir), libraryDir, start);
  }

  /** The library folder the running engine serves. */
  get library(): string {
    return this.dir;
  }

  /**
   * Starts an engine on another library, then stops the old one. If the new one fails to
   * start, the old one keeps running and the error is thrown to the caller.
   */
  switchTo(libraryDir: string): Promise<void> {
    const next = this.switching.then(async () => {
      const fresh = await this.start(libraryDir);
      const old = this.engine;
      this.unsubscribe();
      this.engine = fresh;
      this.dir = libraryDir;
      this.subscribe();
      await old.close();
    });
    this.switching = next.catch(() => undefined);
    return next;
  }

  private subscribe(): void {
    this.unsubscribe = this.engine.onEvent(<E extends EventName>(name: E, payload: Events[E]) => {
      for (const l of this.listeners) l(name, payload);
    });
  }

  call<M extends Method>(method: M, input: Request<M>): Promise<Response<M>> {
    return this.engine.call(method, input);
  }

  relay(method: Method, input: unknown): Promise<unknown> {
    return this.engine.relay(method, input);
  }

  onEvent(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  mediaFile(kind: MediaKind, id: number): Promise<string | null> {
    return this.engine.mediaFile(kind, id);
  }

  close(): Promise<void> {
    this.unsubscribe();
    return this.engine.close();
  }
}
