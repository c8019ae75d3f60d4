// Writes docs/reliability.md from the figures the reliability tests recorded (one JSON line each, appended to the
// file named by CBBD_RELIABILITY_OUT during the run). Usage: npx tsx test/reliability/write-report.ts <figures.jsonl>
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { markdownTable } from 'markdown-table';
import type { ReliabilityFigures } from '../faults/record.js';

/** One line as `recordReliability` appends it. */
type Line = ReliabilityFigures & { suite: string; at: string };

const file = process.argv[2];
if (!file) throw new Error('usage: write-report.ts <figures.jsonl>');
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Line);
if (lines.length === 0)
  throw new Error(`${file}: no figures recorded; were the tests run with CBBD_RELIABILITY_OUT set?`);

const bySuite = new Map<string, Line[]>();
for (const l of lines) bySuite.set(l.suite, [...(bySuite.get(l.suite) ?? []), l]);
const sum = (ls: Line[], k: 'cases' | 'faultsInjected' | 'runs' | 'survived' | 'dataLost') =>
  ls.reduce((a, l) => a + l[k], 0);
const rows = [...bySuite]
  .sort(([a], [b]) => (a < b ? -1 : 1))
  .map(([suite, ls]) => {
    const extras = new Map<string, number | string | boolean>();
    for (const l of ls)
      for (const [k, v] of Object.entries(l.extra ?? {}))
        extras.set(
          k,
          typeof v === 'number' && typeof extras.get(k) === 'number' ? (extras.get(k) as number) + v : v,
        );
    return [
      suite,
      String(sum(ls, 'cases')),
      String(Math.max(...ls.map((l) => l.seeds))),
      String(sum(ls, 'faultsInjected')),
      String(sum(ls, 'runs')),
      `${sum(ls, 'survived')} / ${sum(ls, 'runs')}`,
      String(sum(ls, 'dataLost')),
      [...extras].map(([k, v]) => `${k}: ${v}`).join(', '),
    ];
  });
const totalLost = lines.reduce((a, l) => a + l.dataLost, 0);
const text = `# Reliability figures

Written by \`npm run test:long\` (\`test/reliability/write-report.ts\`) from what the reliability tests recorded in
that run; do not edit by hand. Run: ${lines.map((l) => l.at).sort()[0]} · Node ${process.versions.node} · ${os.cpus().length} CPUs.

Each row is a suite: the fault scenarios of \`test/faults/\` (a proxy in front of s3rver, dynalite, the fake CBBD API
and the fake GitHub injecting 5xx, throttling, resets, stalls, truncated bodies, malformed answers and races), the
SIGKILL crash-resume of \`test/crash/\`, and the property-based fuzzing of \`test/hostile/\` and the issue marker.
*Survived* counts runs that ended with a result saying what happened (no hang, no crash); in crash-resume, runs
that ended by their planned SIGKILL, or with exit 0 where the kill point came after the last game (*faults
injected* there is the kills that landed). *Data lost* counts games missing or duplicated after the final re-run,
partial objects, and \`done\` checkpoints without their files.

${markdownTable([['Suite', 'Cases', 'Seeds', 'Faults injected', 'Runs', 'Survived', 'Data lost', 'Other figures'], ...rows], { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] })}

**Data lost in all: ${totalLost}.**
`;
writeFileSync('docs/reliability.md', text);
process.stdout.write(text);
