/** One caller's hourly REST quota, as the `x-ratelimit-*` headers and `GET /rate_limit` report it. */
export interface QuotaWindow {
  limit: number;
  used: number;
  remaining: number;
  /** Epoch second the window ends. */
  reset: number;
}

/** Per-caller hourly quotas: charged once per authenticated request, refused at zero like GitHub's primary limit. */
export interface RateLimits {
  window(login: string): QuotaWindow;
  charge(login: string): void;
  headers(login: string): Record<string, string>;
}

const HOUR = 3600;

export function createRateLimits(limit: number, nowMs: () => number): RateLimits {
  const windows = new Map<string, { used: number; reset: number }>();
  const current = (login: string) => {
    const now = Math.floor(nowMs() / 1000);
    let w = windows.get(login);
    if (!w || now >= w.reset) {
      w = { used: 0, reset: now + HOUR };
      windows.set(login, w);
    }
    return w;
  };
  const window = (login: string): QuotaWindow => {
    const w = current(login);
    return { limit, used: w.used, remaining: Math.max(0, limit - w.used), reset: w.reset };
  };
  return {
    window,
    charge: (login) => {
      current(login).used += 1;
    },
    headers: (login) => {
      const w = window(login);
      return {
        'x-ratelimit-limit': String(w.limit),
        'x-ratelimit-remaining': String(w.remaining),
        'x-ratelimit-reset': String(w.reset),
        'x-ratelimit-used': String(w.used),
        'x-ratelimit-resource': 'core',
      };
    },
  };
}
