/**
 * Timers on a test clock, repeating (`every`) or one-shot (`after`): `advanceTo` fires each one that falls due, in
 * time order, awaiting each.
 */
export function testTimers(clock: { t: number }) {
  const timers: { ms: number; fn: () => void; next: number; stopped: boolean }[] = [];
  return {
    timers,
    every(ms: number, fn: () => void) {
      const timer = { ms, fn, next: clock.t + ms, stopped: false };
      timers.push(timer);
      return () => (timer.stopped = true);
    },
    after(ms: number, fn: () => void) {
      const timer = { ms: Infinity, fn, next: clock.t + ms, stopped: false };
      timers.push(timer);
      return () => (timer.stopped = true);
    },
    async advanceTo(target: number, settle: () => Promise<void>) {
      for (;;) {
        const due = timers.filter((x) => !x.stopped && x.next <= target).sort((a, b) => a.next - b.next)[0];
        if (!due) break;
        clock.t = due.next;
        due.next += due.ms;
        due.fn();
        await settle();
      }
      clock.t = target;
    },
  };
}
