// At most n calls of a kind running at once; the rest wait their turn, in order.

/** Runs each `fn` given to it when fewer than `n` run; a finishing call hands its slot straight to the next waiter. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    // Handing the slot over directly means no newcomer slips in ahead of a waiter.
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
