/** A count as the reports, issues and checks write it: `12,345`. */
export const fmt = (n: number): string => n.toLocaleString('en-US');

/** A share as the reports write it, rounded down to a tenth so 99.96% never reads as 100.0%: `99.9%`. */
export const pct = (r: number): string => `${(Math.floor(r * 1000) / 10).toFixed(1)}%`;
