// The full audit on a production-shaped lake, scan engine against DuckDB: 6 seasons (2021–2026) × 1,000 games,
// one fct_plays file per game with 350–450 plays, substitutions and lineups from 2024 (~12,000 Parquet files),
// the generator's default gaps. Each run is a fresh child process, so peak RSS belongs to one engine; engines
// alternate, 3 rounds. Run: node_modules/node/bin/node --import tsx bench/audit-scan-vs-duckdb.ts [--rounds N]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { markdownTable } from 'markdown-table';
import { checkCatalog } from '../src/audit/catalog-checks.js';
import { runAudit } from '../src/audit/run-audit.js';
import { createLocalCatalog } from '../src/catalog/local-catalog.js';
import { createDuckDbEngine } from '../src/engine/duckdb-engine.js';
import type { QueryEngine } from '../src/engine/query-engine.js';
import { createScanEngine } from '../src/engine/scan-engine.js';
import { createCountingStore, type StoreCounters } from '../src/lake/counting-store.js';
import { syntheticGames, syntheticPlays } from '../src/demo/synthetic-api.js';
import { tableRules } from '../src/fill/column-rules.js';
import { silverTable } from '../src/fill/write-game.js';
import { createFsStore } from '../src/lake/fs-store.js';
import { createMemoryLogger } from '../src/util/logger.js';
import { median, writeBenchSection } from './bench-report.js';
import { cachedLake, directorySize } from './lake-cache.js';
import { createTallyStore, type Tally, type TableTally } from './tally-store.js';
import { shippedConfig } from '../test/helpers/lakes.js';

/** Columns of a fct_plays file as the pipeline (and a fill) writes it. */
const PLAYS_COLUMNS = silverTable(
  'plays_game',
  syntheticPlays(7, syntheticGames(7, 2024, 1)[0]!, 400),
  ['id'],
  tableRules('silver', 'cbbd_silver', 'fct_plays'),
).columns.length;

const SCRIPT = 'bench/audit-scan-vs-duckdb.ts';
const SEASONS = [2021, 2022, 2023, 2024, 2025, 2026];
const LAKE = {
  seed: 7,
  seasons: SEASONS,
  gamesPerSeason: 1000,
  playsPerGame: [350, 450] as [number, number],
};
const NODE24 = path.resolve('node_modules/node/bin/node');

type EngineName = 'scan' | 'duckdb';

/** What one child reports about its audit. */
interface RunReport {
  engine: EngineName;
  node: string;
  ms: number;
  /** Peak resident set of the whole child, and before the audit started (Node, tsx, imported modules). */
  maxRssMiB: number;
  startRssMiB: number;
  /** Seconds spent in tableFacts, by table group. */
  engineMs: { fct_plays: number; other: number };
  tally: Tally | undefined;
  /** The counting store's own totals for the scan (gets and bytes must agree with the tally's). */
  counters: StoreCounters | undefined;
  gaps: number;
  /** A hash of everything but the engine's name, to show both engines answered alike. */
  answer: string;
}

if (process.argv[2] === '--child') await child(process.argv[3] as EngineName, process.argv[4]!);
else await parent();

async function child(engineName: EngineName, root: string): Promise<void> {
  const startRss = process.resourceUsage().maxRSS;
  const config = shippedConfig();
  const counting = createCountingStore(createFsStore(root));
  const tallied = createTallyStore(counting);
  const store = engineName === 'scan' ? tallied.store : createFsStore(root);
  const engineMs = { fct_plays: 0, other: 0 };
  const t0 = performance.now();
  const inner: QueryEngine =
    engineName === 'scan'
      ? createScanEngine(store, { concurrency: config.audit.read_concurrency })
      : await createDuckDbEngine(root);
  const engine: QueryEngine = {
    name: inner.name,
    async tableFacts(request) {
      const t = performance.now();
      try {
        return await inner.tableFacts(request);
      } finally {
        engineMs[request.table === 'fct_plays' ? 'fct_plays' : 'other'] += performance.now() - t;
      }
    },
    close: () => inner.close(),
  };
  const catalog = createLocalCatalog(root);
  let result;
  try {
    result = await runAudit(
      { config, seasons: SEASONS },
      {
        store,
        engine,
        logger: createMemoryLogger(),
        now: () => new Date(0),
        catalogCheck: (tables) =>
          checkCatalog(tables, catalog, config.catalog.silver_database!, (location) =>
            location.startsWith(`${store.uri}/`) ? location.slice(store.uri.length + 1) : undefined,
          ),
      },
    );
  } finally {
    await engine.close();
  }
  const ms = performance.now() - t0;
  const report: RunReport = {
    engine: engineName,
    node: process.versions.node,
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    startRssMiB: startRss / 1024,
    engineMs,
    tally: engineName === 'scan' ? tallied.tally() : undefined,
    counters: engineName === 'scan' ? counting.counters : undefined,
    gaps: result.gaps.length,
    answer: createHash('sha256')
      .update(
        JSON.stringify({
          tables: result.tables,
          coverage: result.coverage,
          gaps: result.gaps,
          notes: result.notes,
        }),
      )
      .digest('hex')
      .slice(0, 12),
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function runChild(node: string, engine: EngineName, root: string): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const proc = spawn(node, ['--import', 'tsx', SCRIPT, '--child', engine, root], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.on('error', reject);
    proc.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${engine} child on ${node} exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as RunReport);
    });
  });
}

/** A Node other than 24 on PATH (outside node_modules), for the version comparison; undefined if none. */
function otherNode(): string | undefined {
  const candidates = [
    process.env.npm_node_execpath,
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((d) => d && !d.includes('node_modules'))
      .map((d) => path.join(d, 'node')),
  ];
  for (const c of candidates) {
    if (!c) continue;
    try {
      const v = execFileSync(c, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      if (!v.startsWith('24.')) return c;
    } catch {
      // not there
    }
  }
  return undefined;
}

/** Reads every file of the lake once, so the first child does not pay for a cold page cache alone. */
function warmPageCache(root: string): void {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) readFileSync(path.join(entry.parentPath, entry.name));
}

async function parent(): Promise<void> {
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3;
  const lake = await cachedLake('audit-6x1000', LAKE);
  const root = lake.root;
  process.stderr.write(
    `lake ${root} (${lake.cached ? 'cached' : `generated in ${lake.generatedSeconds.toFixed(0)} s`})\n`,
  );
  const size = directorySize(root);
  const silver = directorySize(path.join(root, 'silver'));
  const plays = directorySize(path.join(root, 'silver', 'fct_plays'));
  warmPageCache(root);

  const runs: Record<string, RunReport[]> = {};
  const loads: number[] = [];
  const run = async (label: string, node: string, engine: EngineName) => {
    loads.push(os.loadavg()[0]!);
    const r = await runChild(node, engine, root);
    process.stderr.write(
      `${label} ${engine}: ${(r.ms / 1000).toFixed(2)} s, maxRSS ${r.maxRssMiB.toFixed(0)} MiB, answer ${r.answer}\n`,
    );
    (runs[`${label} ${engine}`] ??= []).push(r);
  };
  for (let round = 0; round < rounds; round++) {
    // Alternate which engine goes first, so neither always runs right after the other.
    const order: EngineName[] = round % 2 === 0 ? ['scan', 'duckdb'] : ['duckdb', 'scan'];
    for (const engine of order) await run('node24', NODE24, engine);
  }
  const node20 = otherNode();
  const node20Version = node20
    ? execFileSync(node20, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
    : undefined;
  if (node20) {
    for (let round = 0; round < rounds; round++)
      for (const engine of ['scan', 'duckdb'] as const) await run('other', node20, engine);
  }
  writeReport({ rounds, size, silver, plays, runs, node20Version, loads });
}

function writeReport(r: {
  rounds: number;
  size: { files: number; bytes: number };
  silver: { files: number; bytes: number };
  plays: { files: number; bytes: number };
  runs: Record<string, RunReport[]>;
  node20Version: string | undefined;
  loads: number[];
}): void {
  const med = (key: string, f: (x: RunReport) => number) => median((r.runs[key] ?? []).map(f));
  const scanMs = med('node24 scan', (x) => x.ms);
  const duckMs = med('node24 duckdb', (x) => x.ms);
  const scanRss = med('node24 scan', (x) => x.maxRssMiB);
  const duckRss = med('node24 duckdb', (x) => x.maxRssMiB);
  const scan = r.runs['node24 scan']![0]!;
  const tally = scan.tally!;
  const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
  const pct = (b: number) => `${((b / r.size.bytes) * 100).toFixed(2)}%`;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const answers = new Set(Object.values(r.runs).flatMap((list) => list.map((x) => x.answer)));

  const main = markdownTable(
    [
      [
        'Engine (Node 24)',
        'Median wall time',
        'Time vs DuckDB',
        'fct_plays / other tables',
        'Peak RSS',
        'RSS vs DuckDB',
        'RSS at start',
        'Runs (s)',
      ],
      ...(['scan', 'duckdb'] as const).map((e) => {
        const key = `node24 ${e}`;
        return [
          e,
          s(med(key, (x) => x.ms)),
          `${(med(key, (x) => x.ms) / duckMs).toFixed(2)}×`,
          `${s(med(key, (x) => x.engineMs.fct_plays))} / ${s(med(key, (x) => x.engineMs.other))}`,
          `${med(key, (x) => x.maxRssMiB).toFixed(0)} MiB`,
          `${(med(key, (x) => x.maxRssMiB) / duckRss).toFixed(2)}×`,
          `${med(key, (x) => x.startRssMiB).toFixed(0)} MiB`,
          r.runs[key]!.map((x) => (x.ms / 1000).toFixed(1)).join(', '),
        ];
      }),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'] },
  );

  const files = tally.parquetFiles;
  const io = markdownTable(
    [
      ['Scan reads (one run)', 'Gets', 'Bytes', 'Share of lake bytes', 'Per Parquet file'],
      [
        'footer: tail read (sized by the footer sizer)',
        String(tally.tail.gets),
        mb(tally.tail.bytes),
        pct(tally.tail.bytes),
        `${(tally.tail.gets / files).toFixed(2)} gets`,
      ],
      [
        'footer: second read (footer longer than the guess)',
        String(tally.footerRest.gets),
        mb(tally.footerRest.bytes),
        pct(tally.footerRest.bytes),
        `${(tally.footerRest.gets / files).toFixed(2)} gets`,
      ],
      [
        'column chunks',
        String(tally.chunks.gets),
        mb(tally.chunks.bytes),
        pct(tally.chunks.bytes),
        `${(tally.chunks.gets / files).toFixed(2)} gets`,
      ],
      [
        'whole objects (deadletter records)',
        String(tally.whole.gets),
        mb(tally.whole.bytes),
        pct(tally.whole.bytes),
        '',
      ],
      [
        '**total**',
        String(tally.gets),
        mb(tally.bytes),
        `**${pct(tally.bytes)}**`,
        `${(tally.parquetGets / files).toFixed(2)} gets`,
      ],
    ],
    { align: ['l', 'r', 'r', 'r', 'r'] },
  );

  const byTable = Object.entries(tally.tables).sort((a, b) => b[1].fileBytes - a[1].fileBytes);
  const named = byTable.slice(0, 4);
  const rest = byTable.slice(4);
  const sum = (list: [string, TableTally][]): TableTally =>
    list.reduce(
      (a, [, t]) => ({
        files: a.files + t.files,
        fileBytes: a.fileBytes + t.fileBytes,
        footerBytes: a.footerBytes + t.footerBytes,
        tailBytes: a.tailBytes + t.tailBytes,
        chunkBytes: a.chunkBytes + t.chunkBytes,
        bytesRead: a.bytesRead + t.bytesRead,
      }),
      { files: 0, fileBytes: 0, footerBytes: 0, tailBytes: 0, chunkBytes: 0, bytesRead: 0 },
    );
  const all = sum(byTable);
  const tableRow = (name: string, t: TableTally) => [
    name,
    t.files.toLocaleString('en'),
    `${(t.fileBytes / t.files / 1024).toFixed(1)} KiB`,
    `${(t.footerBytes / t.files / 1024).toFixed(1)} KiB`,
    `${((t.footerBytes / t.fileBytes) * 100).toFixed(1)}%`,
    `${mb(t.tailBytes)} (${(t.tailBytes / t.footerBytes).toFixed(2)}× the footers)`,
    mb(t.chunkBytes),
    `${((t.bytesRead / t.fileBytes) * 100).toFixed(1)}%`,
    pct(t.bytesRead),
  ];
  const tablesTable = markdownTable(
    [
      [
        'Table (readable files)',
        'Files',
        'Mean file',
        'Mean footer',
        'Footer ÷ file',
        'Tail reads',
        'Column chunks read',
        'Read ÷ table bytes',
        'Read ÷ lake bytes',
      ],
      ...named.map(([name, t]) => tableRow(name, t)),
      ...(rest.length > 0 ? [tableRow(`${rest.length} other tables`, sum(rest))] : []),
      tableRow('**all**', all),
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
  );
  const floorFooters = all.footerBytes / r.size.bytes;
  const plays = tally.tables.fct_plays ?? all;
  const floorWithKeys = (all.footerBytes + all.chunkBytes) / r.size.bytes;

  let nodeTable = '';
  if (r.node20Version) {
    const v24 = r.runs['node24 scan']![0]!.node;
    nodeTable = markdownTable(
      [
        [
          'Engine',
          `Node ${r.node20Version}`,
          `Node ${v24}`,
          'Node 24 vs 20 (time)',
          'Peak RSS 20 / 24',
          'Runs on 20 (s)',
        ],
        ...(['scan', 'duckdb'] as const).map((e) => {
          const t20 = med(`other ${e}`, (x) => x.ms);
          const t24 = med(`node24 ${e}`, (x) => x.ms);
          return [
            e,
            s(t20),
            s(t24),
            `${(t24 / t20).toFixed(2)}×`,
            `${med(`other ${e}`, (x) => x.maxRssMiB).toFixed(0)} / ${med(`node24 ${e}`, (x) => x.maxRssMiB).toFixed(0)} MiB`,
            (r.runs[`other ${e}`] ?? []).map((x) => (x.ms / 1000).toFixed(1)).join(', '),
          ];
        }),
      ],
      { align: ['l', 'r', 'r', 'r', 'r', 'l'] },
    );
  }

  const timeGoal = scanMs <= duckMs;
  const memGoal = scanRss <= duckRss / 2;
  const bytesGoal = tally.bytes < r.size.bytes * 0.1;
  const verdict = (ok: boolean, text: string) => `${ok ? '✅' : '❌'} ${text}`;
  const body = `\`node_modules/node/bin/node --import tsx ${SCRIPT}\` · ${r.rounds} rounds per Node, engines alternating (order swapped each round), each run a fresh child process; median. The lake (seed 7, default gaps: ~4–6% of child rows missing, 2 duplicated plays files, one corrupt plays file, a \`season=/asof=\` season) is generated once into \`os.tmpdir()/cbbd-gap-bot-bench/\` and reused; the page cache is warmed before the first run.

Lake: ${r.size.files.toLocaleString('en')} objects, ${mb(r.size.bytes)} (silver ${r.silver.files.toLocaleString('en')} files, ${mb(r.silver.bytes)}; fct_plays ${r.plays.files.toLocaleString('en')} files, ${mb(r.plays.bytes)}). 1-minute load average when each run started: ${Math.min(...r.loads).toFixed(1)}–${Math.max(...r.loads).toFixed(1)} on 2 cores (other work on the machine counts too). Both engines gave the same tables, coverage, gaps and notes in every run: **${answers.size === 1 ? 'yes' : `no (${answers.size} different answers)`}**.

${main}

Goal: ${verdict(timeGoal, `scan at or under DuckDB's time — ${(scanMs / duckMs).toFixed(2)}× (${timeGoal ? 'met' : `${(((scanMs - duckMs) / duckMs) * 100).toFixed(0)}% over`})`)}; ${verdict(memGoal, `at most half DuckDB's memory — ${(scanRss / duckRss).toFixed(2)}× (${memGoal ? 'met' : `${(scanRss - duckRss / 2).toFixed(0)} MiB over half`})`)}; ${verdict(bytesGoal, `under 10% of the lake's bytes — ${pct(tally.bytes)}`)}.

${io}

${tablesTable}

Where the bytes go: the footers themselves are ${(floorFooters * 100).toFixed(1)}% of the lake. A fct_plays file holds one game (~400 rows) in ${PLAYS_COLUMNS} columns, and each column costs ~100 bytes of Thrift metadata in the footer whatever the row count, so the footer is ${((plays.footerBytes / plays.fileBytes) * 100).toFixed(0)}% of a plays file; the small per-game and per-date files of fct_lineups, fct_substitutions and fct_games are a third to two thirds footer. A reader that fetched every footer exactly and no column at all would still read ${(floorFooters * 100).toFixed(1)}%; adding the key and id columns the duplicate and coverage checks need, exactly fetched, ${(floorWithKeys * 100).toFixed(1)}%. The rest of the ${pct(tally.bytes)} is the footer sizer's slack (one guess per table: the largest footer seen × 1.1, rounded up to 256 bytes, and 8 KiB for the first files of each table, read before any footer is known) and, in files smaller than that guess, column chunks fetched again after the tail read already held them (hence over 100% for the small season tables).
${nodeTable ? `\nThe same runs on the machine's other Node (read the spread of the runs before the ratio: other work shared the 2 cores):\n\n${nodeTable}\n` : ''}
**What this shows.** The wall time of \`runAudit\` with each engine (engine start and close included; module loading excluded), the same config and catalog check, over the same files on a local disk with a warm page cache, and each process's peak RSS (\`process.resourceUsage().maxRSS\`, which includes Node, tsx and the modules: "RSS at start" is that floor). The scan's I/O is counted at the object-store port: a "tail read" is the ranged get that ends at the file's end, a "second read" one that ends where the tail read began, anything else is a column chunk; footer sizes are read from each file's last 8 bytes. **What it does not show.** S3: every get here is a local \`pread\`, so the scan's per-request cost (one round trip per footer, ~${(tally.parquetGets / files).toFixed(1)} per file) is nearly free, while DuckDB cannot read S3 through this engine at all. A cold cache, other machines (2 cores here: DuckDB's threads and the scan's 32 reads in flight share them), or lakes of another shape (a season of plays in one file would make footers a rounding error). The files here come from hyparquet-writer; pyarrow with its defaults also stores the Arrow schema (\`ARROW:schema\`) in every footer, so a lake written that way has larger footers, not smaller.`;
  writeBenchSection(
    'audit-scan-vs-duckdb',
    'Audit: scan engine vs DuckDB, 6 seasons × 1,000 games (~12,000 Parquet files)',
    body,
  );
}
