import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const FILE = 'reports/bench.md';

/**
 * Writes one benchmark's section of reports/bench.md, replacing the previous run of the same benchmark and
 * leaving the others. Each section records the machine and Node it ran on.
 */
export function writeBenchSection(name: string, title: string, body: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${start}\n## ${title}\n\n_${new Date().toISOString().slice(0, 10)} · Node ${process.versions.node} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'} · ${Math.round(os.totalmem() / 2 ** 30)} GiB_\n\n${body.trim()}\n${end}`;
  const current = existsSync(FILE)
    ? readFileSync(FILE, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench` (each benchmark rewrites its own section). Ratios compare against the reference named in each table.\n';
  const next = current.includes(start)
    ? current.replace(new RegExp(`${escape(start)}[\\s\\S]*?${escape(end)}`), section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, next.endsWith('\n') ? next : `${next}\n`);
  process.stdout.write(`${section}\n`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The median of some numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
