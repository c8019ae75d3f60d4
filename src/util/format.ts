/** A count as the reports, issues and checks write it: `12,345`. */
export const fmt = (n: number): string => n.toLocaleString('en-US');

/** `n` and its noun, singular for one: `1 call`, `1,024 calls`. */
export const plural = (n: number, one: string, many = `${one}s`): string =>
  `${fmt(n)} ${n === 1 ? one : many}`;

/** A share as the reports write it, rounded down to a tenth so 99.96% never reads as 100.0%: `99.9%`. */
export const pct = (r: number): string => `${(Math.floor(r * 1000) / 10).toFixed(1)}%`;
