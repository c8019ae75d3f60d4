// Runs the benchmarks one after another, each in its own process on the Node running this script (Node 24 for
// `node_modules/node/bin/node`, which is what the action runs on), and says how long each took. Each benchmark
// rewrites its own section of reports/bench.md. Name some to run only those.
// Run: node_modules/node/bin/node --import tsx bench/run-all.ts [parquet-writers audit-scan-vs-duckdb …]
import { spawnSync } from 'node:child_process';

/** In the order they run, cheapest first; fill-rate takes ~13 minutes of mostly waiting on the rate limit. */
const BENCHMARKS = [
  'parquet-writers',
  'catalog-partitions',
  'audit-scan-vs-duckdb',
  'audit-over-s3',
  'calls-per-fill',
  'shared-budget',
  'fill-rate',
];

const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !BENCHMARKS.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}\n`);
  process.exit(2);
}
const chosen = asked.length > 0 ? BENCHMARKS.filter((name) => asked.includes(name)) : BENCHMARKS;

const outcomes: { name: string; seconds: number; status: number | null }[] = [];
for (const name of chosen) {
  process.stderr.write(`\n=== ${name} ===\n`);
  const t0 = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
  outcomes.push({ name, seconds: (performance.now() - t0) / 1000, status: run.status });
}

process.stderr.write('\n');
for (const o of outcomes)
  process.stderr.write(
    `${o.status === 0 ? 'ok    ' : 'FAILED'} ${o.name.padEnd(22)} ${(o.seconds / 60).toFixed(1)} min\n`,
  );
process.exit(outcomes.every((o) => o.status === 0) ? 0 : 1);
