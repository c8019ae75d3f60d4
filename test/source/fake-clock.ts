/**
 * A virtual clock for the rate limiter and the client: `sleep` parks a timer, and `run` advances time to the next
 * timer only when nothing else can happen, so a schedule of hours runs in milliseconds and exactly the same way
 * every time.
 */
export interface FakeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Advances time, timer by timer, until `until` settles; throws if it is waiting on nothing. */
  run<T>(until: Promise<T>): Promise<T>;
  /** Sleeps asked for so far, in ms. */
  readonly slept: number[];
}

export function createFakeClock(start = 0): FakeClock {
  let time = start;
  let order = 0;
  const timers: { at: number; order: number; wake: () => void }[] = [];
  const slept: number[] = [];
  const idle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    slept,
    now: () => time,
    sleep(ms) {
      slept.push(ms);
      return new Promise<void>((wake) => timers.push({ at: time + Math.max(0, ms), order: order++, wake }));
    },
    async run(until) {
      let settled = false;
      const watched = until.finally(() => (settled = true));
      watched.catch(() => {});
      for (;;) {
        await idle();
        if (settled) return watched;
        timers.sort((a, b) => a.at - b.at || a.order - b.order);
        const next = timers.shift();
        if (!next) throw new Error('the fake clock has no timer left, but the work has not finished');
        time = Math.max(time, next.at);
        next.wake();
      }
    },
  };
}
