import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRateLimiter, windowRule, type RateLimiter } from '../../src/source/rate-limiter.js';
import { createFakeClock, type FakeClock } from './fake-clock.js';

interface Task {
  arrival: number;
  hold: number;
}

/** Runs tasks through a limiter on a fake clock; reports when each started and the most ever in flight. */
async function simulate(rate: number, concurrency: number, tasks: Task[]) {
  const clock = createFakeClock();
  const limiter = createRateLimiter({ ratePerSec: rate, concurrency, now: clock.now, sleep: clock.sleep });
  const starts: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const work = Promise.all(
    tasks.map(async ({ arrival, hold }) => {
      await clock.sleep(arrival);
      const release = await limiter.acquire();
      starts.push(clock.now());
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await clock.sleep(hold);
      inFlight--;
      release();
    }),
  );
  await clock.run(work);
  return { starts: starts.sort((a, b) => a - b), maxInFlight, counters: limiter.counters() };
}

/** The most starts in any window [t, t + ms), as the fake API counts them. */
function maxInWindow(starts: number[], ms: number): number {
  let best = 0;
  let left = 0;
  starts.forEach((start, right) => {
    while (start - (starts[left] ?? start) >= ms) left++;
    best = Math.max(best, right - left + 1);
  });
  return best;
}

const minGap = (starts: number[]) =>
  starts.slice(1).reduce((gap, s, i) => Math.min(gap, s - (starts[i] ?? -Infinity)), Infinity);

const RATES = [0.3, 0.75, 1, 1.5, 2, 2.5, 3, 5, 7.3, 20];

describe('windowRule', () => {
  const cases: [number, number, number][] = [
    [3, 3, 1040],
    [1, 1, 1040],
    [20, 20, 1040],
    [2.5, 2, 1040],
    [0.75, 1, 1000 / 0.75 + 40],
    [0.5, 1, 2040],
  ];
  it.each(cases)('rate %d: %d starts per %d ms', (rate, starts, windowMs) => {
    expect(windowRule(rate)).toEqual({ starts, windowMs });
  });

  it.each([0, -1, NaN, Infinity])('refuses a rate of %d, saying what it needs', (rate) => {
    expect(() => windowRule(rate)).toThrow(
      `rate must be a positive number of requests per second, got ${rate}`,
    );
  });

  it('refuses a concurrency that is not a whole number ≥ 1', () => {
    expect(() => createRateLimiter({ ratePerSec: 3, concurrency: 0 })).toThrow(
      'concurrency must be a whole number ≥ 1, got 0',
    );
    expect(() => createRateLimiter({ ratePerSec: 3, concurrency: 1.5 })).toThrow('got 1.5');
  });
});

describe('rate limiter: invariants over random schedules', () => {
  const task = fc.record({
    arrival: fc.integer({ min: 0, max: 6000 }),
    hold: fc.integer({ min: 0, max: 2500 }),
  });
  const schedule = fc.record({
    rate: fc.constantFrom(...RATES),
    concurrency: fc.integer({ min: 1, max: 6 }),
    tasks: fc.array(task, { minLength: 1, maxLength: 80 }),
  });

  it('never starts more than R in any second, nor more than one per 1000/R ms below 1/s, nor more than C at once', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, async ({ rate, concurrency, tasks }) => {
        const { starts, maxInFlight, counters } = await simulate(rate, concurrency, tasks);
        expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(Math.max(1, Math.floor(rate)));
        if (rate < 1) expect(minGap(starts)).toBeGreaterThanOrEqual(1000 / rate);
        expect(maxInFlight).toBeLessThanOrEqual(concurrency);
        expect(counters).toEqual({ started: tasks.length, inFlight: 0, maxInFlight });
      }),
      { numRuns: 300, seed: 20260501 },
    );
  });

  it('holds the window when every task arrives at once and returns immediately', async () => {
    for (const rate of RATES) {
      const tasks = Array.from({ length: 60 }, () => ({ arrival: 0, hold: 0 }));
      const { starts } = await simulate(rate, 8, tasks);
      expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(Math.max(1, Math.floor(rate)));
    }
  });
});

describe('rate limiter: throughput', () => {
  // Whole rates and rates below 1 are honoured in full; a fractional rate above 1 gets its whole part, the most
  // any rule can start without a second ever holding more than R.
  const reachable = (rate: number) => (rate < 1 ? rate : Math.floor(rate));

  it.each(RATES)(
    'rate %s: sustains at least 95 percent of what it allows when demand is saturated',
    async (rate) => {
      const seconds = 20;
      const tasks = Array.from({ length: Math.ceil(rate * seconds) + 30 }, () => ({ arrival: 0, hold: 0 }));
      const { starts } = await simulate(rate, 50, tasks);
      const inSpan = starts.filter((s) => s < seconds * 1000).length;
      expect(inSpan).toBeGreaterThanOrEqual(0.95 * reachable(rate) * seconds);
      expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(Math.max(1, Math.floor(rate)));
    },
  );

  it('is not held back by concurrency alone: C slow requests in flight do not stall a free slot', async () => {
    const tasks = [
      { arrival: 0, hold: 10_000 },
      { arrival: 0, hold: 10 },
      { arrival: 0, hold: 10 },
    ];
    const { starts } = await simulate(10, 2, tasks);
    expect(starts).toEqual([0, 0, 10]);
  });
});

describe('rate limiter: slots and aborts', () => {
  const started = (limiter: RateLimiter) => limiter.counters().started;

  async function setup(
    rate: number,
    concurrency: number,
  ): Promise<{ clock: FakeClock; limiter: RateLimiter }> {
    const clock = createFakeClock();
    return {
      clock,
      limiter: createRateLimiter({ ratePerSec: rate, concurrency, now: clock.now, sleep: clock.sleep }),
    };
  }

  it('gives a slot up when the wait for it is aborted, and frees it for the next caller', async () => {
    const { clock, limiter } = await setup(100, 1);
    const release = await clock.run(limiter.acquire());
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
    release();
    release(); // idempotent: the second call frees nothing
    expect(limiter.counters().inFlight).toBe(0);
    await clock.run(limiter.acquire());
    expect(limiter.counters()).toEqual({ started: 2, inFlight: 1, maxInFlight: 1 });
  });

  it('records no start for a caller aborted while it waits for the window', async () => {
    const { clock, limiter } = await setup(1, 5);
    await clock.run(limiter.acquire());
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(waiting).rejects.toThrow('aborted');
    expect([started(limiter), limiter.counters().inFlight]).toEqual([1, 1]);
    // The next caller still waits out the first start's window, and only that.
    await clock.run(limiter.acquire());
    expect([clock.now(), started(limiter)]).toEqual([1040, 2]);
  });

  it('refuses at once when the signal is already aborted', async () => {
    const { limiter } = await setup(3, 3);
    await expect(limiter.acquire(AbortSignal.abort())).rejects.toThrow('aborted');
    expect(limiter.counters()).toEqual({ started: 0, inFlight: 0, maxInFlight: 0 });
  });

  it('grants starts in arrival order', async () => {
    const { clock, limiter } = await setup(1, 10);
    const order: number[] = [];
    const all = Promise.all([0, 1, 2, 3].map((i) => limiter.acquire().then(() => order.push(i))));
    await clock.run(all);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(clock.now()).toBe(3 * 1040);
  });
});

describe('rate limiter: a share of a budget that changes', () => {
  /** 30 tasks of 100 ms all at once; `at` ms in, the share changes to `share`. */
  async function changeMidway(at: number, share: { ratePerSec: number; concurrency: number }) {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ ratePerSec: 3, concurrency: 3, now: clock.now, sleep: clock.sleep });
    const starts: number[] = [];
    let inFlight = 0;
    const inFlightAfter: number[] = [];
    const tasks = Array.from({ length: 30 }, async () => {
      const release = await limiter.acquire();
      starts.push(clock.now());
      inFlight++;
      if (clock.now() >= at + 100) inFlightAfter.push(inFlight);
      await clock.sleep(100);
      inFlight--;
      release();
    });
    const change = clock.sleep(at).then(() => limiter.setShare(share));
    await clock.run(Promise.all([...tasks, change]));
    return { starts: starts.sort((a, b) => a - b), inFlightAfter };
  }

  it('halves its rate and concurrency from the change on, counting the starts already made', async () => {
    const { starts, inFlightAfter } = await changeMidway(2500, { ratePerSec: 1.5, concurrency: 1 });
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(3);
    expect(
      maxInWindow(
        starts.filter((s) => s >= 2500 - 1000),
        1000,
      ),
    ).toBeLessThanOrEqual(1 + 3);
    expect(
      maxInWindow(
        starts.filter((s) => s >= 2500),
        1000,
      ),
    ).toBe(1);
    expect(Math.max(...inFlightAfter)).toBe(1);
    expect(starts).toHaveLength(30);
  });

  it('admits nothing while queued (concurrency 0) and resumes when given a share again', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ ratePerSec: 3, concurrency: 3, now: clock.now, sleep: clock.sleep });
    limiter.setShare({ ratePerSec: 3, concurrency: 0 });
    const starts: number[] = [];
    const tasks = Array.from({ length: 4 }, async () => {
      const release = await limiter.acquire();
      starts.push(clock.now());
      release();
    });
    const resume = clock.sleep(5000).then(() => limiter.setShare({ ratePerSec: 2, concurrency: 2 }));
    await clock.run(Promise.all([...tasks, resume]));
    expect(starts.every((s) => s >= 5000)).toBe(true);
    expect(maxInWindow(starts, 1000)).toBe(2);
    expect(limiter.rule).toEqual({ starts: 2, windowMs: 1040 });
  });
});

describe('rate limiter: starts as the server counts them', () => {
  it('counts a fresh limiter’s first window from when its requests end, so warm ones cannot overtake them', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({
      ratePerSec: 3,
      concurrency: 3,
      now: clock.now,
      sleep: clock.sleep,
      coldStarts: true,
    });
    const starts: number[] = [];
    // The first three take 400 ms (cold connections), the rest 10 ms: the server sees the first ones arrive late.
    const tasks = Array.from({ length: 9 }, async (_, i) => {
      const release = await limiter.acquire();
      starts.push(clock.now());
      await clock.sleep(i < 3 ? 400 : 10);
      release();
    });
    await clock.run(Promise.all(tasks));
    starts.sort((a, b) => a - b);
    expect(starts.slice(0, 3)).toEqual([0, 0, 0]);
    // The fourth waits a window from the end of the first (400 ms), not from its grant.
    expect(starts[3]).toBeGreaterThanOrEqual(400 + 1000);
    expect(maxInWindow(starts, 1000)).toBeLessThanOrEqual(3);
  });

  it('with anchorOnSend, counts each start from when its request went out: a request held back moves its window', async () => {
    const run = async (anchorOnSend: boolean) => {
      const clock = createFakeClock();
      const limiter = createRateLimiter({
        ratePerSec: 1,
        concurrency: 1,
        now: clock.now,
        sleep: clock.sleep,
        anchorOnSend,
      });
      const sends: number[] = [];
      // Every other request leaves 150 ms after its grant (its process was busy), the others at once.
      const tasks = Array.from({ length: 6 }, async (_, i) => {
        const slot = await limiter.acquire();
        if (i % 2 === 0) await clock.sleep(150);
        slot.sent();
        sends.push(clock.now());
        await clock.sleep(20);
        slot();
      });
      await clock.run(Promise.all(tasks));
      return sends;
    };
    // Counted from the grant, the server sees two starts 890 ms apart; counted from the send, never.
    expect(maxInWindow(await run(false), 1000)).toBe(2);
    const sends = await run(true);
    expect(maxInWindow(sends, 1000)).toBe(1);
    expect(sends[1]! - sends[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('counts starts another run made just before in its first window', async () => {
    const clock = createFakeClock();
    const limiter = createRateLimiter({ ratePerSec: 3, concurrency: 3, now: clock.now, sleep: clock.sleep });
    await clock.run(clock.sleep(5000));
    limiter.countStarts([4700, 4800, 4900]);
    const starts: number[] = [];
    const tasks = Array.from({ length: 3 }, async () => {
      const release = await limiter.acquire();
      starts.push(clock.now());
      release();
    });
    await clock.run(Promise.all(tasks));
    expect(maxInWindow([4700, 4800, 4900, ...starts], 1000)).toBeLessThanOrEqual(3);
    expect(limiter.recentStarts()).toHaveLength(3);
  });
});
