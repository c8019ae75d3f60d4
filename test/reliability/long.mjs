// npm run test:long: the reliability suites with many more seeds, kill points and fuzz runs than `npm test`
// uses, then docs/reliability.md written from the figures they recorded.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cbbd-reliability-'));
const figures = path.join(dir, 'figures.jsonl');
const env = {
  ...process.env,
  CBBD_RELIABILITY_OUT: figures,
  CBBD_FAULT_SEEDS: process.env.CBBD_FAULT_SEEDS ?? '10',
  CBBD_KILL_POINTS: process.env.CBBD_KILL_POINTS ?? '60',
  CBBD_FUZZ_RUNS: process.env.CBBD_FUZZ_RUNS ?? '10000',
};
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
run('npx', [
  'vitest',
  'run',
  'test/faults',
  'test/crash',
  'test/hostile',
  'test/github/marker.test.ts',
  '--testTimeout',
  '1800000',
]);
run('npx', ['tsx', 'test/reliability/write-report.ts', figures]);
rmSync(dir, { recursive: true, force: true });
