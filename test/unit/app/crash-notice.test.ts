// A crashed engine is restarted with a message to the user; one that keeps crashing is given up on.
import { describe, expect, it } from 'vitest';
import { createCrashNotifier } from '../../../src-main/app/crash-notice.js';

function setup(maxRestarts = 3) {
  let clock = 0;
  const shown: { title: string; detail: string; dismiss: () => void }[] = [];
  const gaveUp: string[] = [];
  const notifier = createCrashNotifier({
    show: (title, detail) => new Promise<void>((resolve) => shown.push({ title, detail, dismiss: resolve })),
    giveUp: (d) => gaveUp.push(d),
    maxRestarts,
    windowMs: 60_000,
    now: () => clock,
  });
  return { notifier, shown, gaveUp, advance: (ms: number) => (clock += ms) };
}

describe('engine crash notices', () => {
  it('tells the user the engine stopped and was restarted, with its exit code', () => {
    const { notifier, shown } = setup();
    notifier.restarted('The engine stopped unexpectedly (exit code 134) and was restarted.');
    expect(shown).toHaveLength(1);
    expect(shown[0].title).toMatch(/restarted/);
    expect(shown[0].detail).toMatch(/exit code 134/);
  });

  it('shows one box at a time and sums up the restarts that happened while it was open', async () => {
    const { notifier, shown, advance } = setup();
    notifier.restarted('first');
    advance(30_000);
    notifier.restarted('second');
    expect(shown).toHaveLength(1);
    shown[0].dismiss();
    await new Promise((r) => setTimeout(r, 0));
    expect(shown).toHaveLength(2);
    expect(shown[1].detail).toMatch(/1 more time\b/);
  });

  it('gives up on an engine that keeps crashing, once', async () => {
    const { notifier, shown, gaveUp, advance } = setup(3);
    for (let i = 0; i < 6; i++) {
      notifier.restarted(`crash ${i}`);
      advance(5_000);
    }
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]).toMatch(/4 times in 60 s/);
    shown[0].dismiss();
    await new Promise((r) => setTimeout(r, 0));
    expect(shown).toHaveLength(1); // no more boxes after giving up
  });

  it('does not give up on crashes far apart in time', () => {
    const { notifier, gaveUp, shown, advance } = setup(3);
    for (let i = 0; i < 6; i++) {
      notifier.restarted(`crash ${i}`);
      shown.at(-1)?.dismiss();
      advance(61_000);
    }
    expect(gaveUp).toEqual([]);
  });
});
