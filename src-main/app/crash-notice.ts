// What the user sees when the engine dies and is restarted. The contract has no "notice"
// event, so the shell tells the user itself, with a native message box. One box at a time:
// restarts while it is open are counted into it. An engine that keeps dying (a corrupt library,
// a broken native module) is not restarted forever: after a few restarts in a short time the
// user is told and the app gives up.

export interface CrashNoticeOptions {
  /** Shows a message; resolves when the user dismissed it. */
  show(title: string, detail: string): Promise<void>;
  /** Called once when the engine keeps crashing; the app should explain and quit. */
  giveUp(detail: string): void;
  maxRestarts?: number;
  windowMs?: number;
  now?: () => number;
}

export interface CrashNotifier {
  /** Call with the engine's own message each time it was restarted. */
  restarted(message: string): void;
}

export function createCrashNotifier(opts: CrashNoticeOptions): CrashNotifier {
  const maxRestarts = opts.maxRestarts ?? 3;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const times: number[] = [];
  let showing = false;
  let gaveUp = false;
  let missed = 0;

  const showNotice = (detail: string): void => {
    showing = true;
    void opts
      .show('The Lookalike engine was restarted', detail)
      .catch(() => undefined)
      .finally(() => {
        showing = false;
        if (missed > 0 && !gaveUp) {
          const n = missed;
          missed = 0;
          showNotice(`The engine stopped and was restarted ${n} more time${n === 1 ? '' : 's'} since the last message.`);
        }
      });
  };

  return {
    restarted(message) {
      if (gaveUp) return;
      const t = now();
      times.push(t);
      while (times.length && times[0] < t - windowMs) times.shift();
      if (times.length > maxRestarts) {
        gaveUp = true;
        opts.giveUp(
          `The engine stopped ${times.length} times in ${Math.round(windowMs / 1000)} s. ${message}\n` +
            'Lookalike will close. Your photos and library are not changed by this.',
        );
        return;
      }
      if (showing) {
        missed++;
        return;
      }
      showNotice(
        `${message}\nCalls that were in progress failed; try them again. Your photos and library are not changed by this.`,
      );
    },
  };
}
