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

## The API budget, as the CBBD API sees it

The key's rule is \`api.rate_limit_per_sec\` (R) requests a second and \`api.max_concurrency\` (C) in flight, counted
by the server over every run of the key. Every \`fill\` (CLI, action, each matrix leg) holds a share of that one
budget, kept in the checkpoint store (DynamoDB, or the file store) under a hash of the key:

- **Starts.** In any 1,000 ms the server receives at most R requests of the key, from all runs together, as long as
  no request spends more than 40 ms longer between leaving one run and reaching the server than the one before it
  (the limiter's window is 1,040 ms). A start is counted from when its request's headers actually go out (Node's
  fetch reports it), not from when the limiter granted it: a process busy writing Parquet or parsing an answer can
  hold a granted request back 100 ms and more, which let the server count 4 starts in a second. A fresh run's first
  window is counted from when its first requests end (a cold connection arrives late), and a run that starts right
  after another ended counts that run's last R starts, which the store keeps for a window (counted under the share
  the run takes at that heartbeat, so a share that grows keeps them all). Machines' clocks must agree to well under
  a second for that hand-over.
- **In flight.** At most C requests of the key are open at the server at once: shares are whole requests and sum to
  at most C.
- **Change-overs.** Shares never sum above R or C: a run that finds others waits one heartbeat (1 s) and one window
  before its first start, by when the others have read it and shrunk; a share grows only when a holder left (its
  last starts counted) or died. A dead run's entry lives 1.5 heartbeats, so the survivors take its share back at the
  first heartbeat after that: within 2.5 heartbeats of the death (the tests show ≤ 2.5, not 2).
- **Queueing.** With more runs than min(⌊R⌋, C), the later ones wait, their place in line in the fill's progress
  (terminal line, action log) and its summary (time waited); each share a run takes is logged.
- **Monthly quota.** The key's quota ledger sits in the same store (row \`quota\` of the key's partition): the lowest
  \`X-CallLimit-Remaining\` any run of the key saw this month, and the calls each live run reserved and has not yet
  spent. A fill reserves its planned calls before its first call (one call first when no run has seen the count this
  month: the probe that learns it) by a write made only if the ledger is unchanged since it was read, so two runs
  never reserve the same calls. It sends no call past its reservation, writes what it still holds every heartbeat,
  and gives the rest back when it ends; a dead run's reservation lapses with its holder entry. A reservation that
  would cut into \`api.quota_reserve\` is cut to what fits: the fill makes those calls and stops with exit 3, naming
  the count, what other runs hold and the reserve (it first waits a heartbeat while the others' holdings shrink,
  since calls they made since their last write are counted twice until then). So the runs of a key together never
  make more than the count less the reserve. Not covered: calls made with the same key outside the bot (the
  pipeline's own) are seen only as the count falls, and each run's client still stops at the reserve on its own.

Tested by \`test/fill/shared-budget.test.ts\` (three fills of different seasons at once through dynalite and through
the file store; 20 one-game fills in a row; all read the fake API's request log), \`test/fill/budget-holder.test.ts\`,
\`test/source/rate-limiter.test.ts\` and \`test/fill/quota-ledger.test.ts\` (two fills against a quota of 100 with a
reserve of 10, through dynalite and the file store: 90 calls charged, counted by the fake API).
`;
writeFileSync('docs/reliability.md', text);
process.stdout.write(text);
