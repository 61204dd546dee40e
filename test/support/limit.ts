/**
 * Runs at most `n` jobs at a time: integration tests that spawn a supervisor
 * and its workers share a 2-core machine, so they queue here instead of all
 * starting at once (vitest's describe.concurrent would start five).
 */
export function limiter(n: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(job: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await job();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
