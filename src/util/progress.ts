import { fmt } from './format.js';

/** How often a log (CI, a file) gets a progress line; a terminal's live line is redrawn at most every 250 ms. */
export const LOG_EVERY_MS = 10_000;
const TTY_EVERY_MS = 250;

/**
 * Progress of a long step on stderr — an audit's files read, the demo's objects written — with the rate and the
 * time left. On a terminal one live line rewritten in place; in a log (Actions, a file) a line every ~10 s and
 * one at the end, so a minutes-long S3 scan shows it is moving without flooding the log. `now` is injected so
 * tests need no wall time.
 */
export function stepProgressReporter(
  write: (text: string) => void,
  tty: boolean,
  now: () => number = Date.now,
  what: { step: string; unit: string } = { step: 'audit', unit: 'files read' },
): (read: number, total: number) => void {
  const started = now();
  let last = started;
  return (read, total) => {
    const t = now();
    const done = read >= total;
    if (!done && t - last < (tty ? TTY_EVERY_MS : LOG_EVERY_MS)) return;
    last = t;
    const seconds = Math.max(0.001, (t - started) / 1000);
    const rate = read / seconds;
    const eta = rate > 0 ? duration((total - read) / rate) : '?';
    const line = `${what.step}: ${fmt(read)}/${fmt(total)} ${what.unit} · ${rate.toFixed(1)}/s · ETA ${eta}`;
    write(tty ? `\r${line}${done ? '\n' : ''}` : `${line}\n`);
  };
}

/** `1m 46s`, `12s`. */
function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}
