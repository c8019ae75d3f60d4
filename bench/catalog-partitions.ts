// The catalog check on a table of 20,000 partitions: an S3 lake on s3rver (behind the test stack's shim) with
// one tiny Parquet file in each `season=/date=` partition of fct_plays, and a fake Glue holding 19,900 of those
// partitions plus 50 stale ones. Times the audit's catalog check against a bare listing of the table's prefix,
// alternating, 3 rounds, and counts S3 list pages and Glue calls.
// Run: node_modules/node/bin/node --import tsx bench/catalog-partitions.ts
import os from 'node:os';
import { GlueClient } from '@aws-sdk/client-glue';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { markdownTable } from 'markdown-table';
import { checkCatalog } from '../src/audit/catalog-checks.js';
import { takeInventory, type Inventory } from '../src/audit/inventory.js';
import { createGlueCatalog } from '../src/catalog/glue-catalog.js';
import { parquetStorageDescriptor, type GluePartition } from '../src/catalog/glue-shapes.js';
import { createCountingStore } from '../src/lake/counting-store.js';
import { createS3Store } from '../src/lake/s3-store.js';
import { writeParquet } from '../src/parquet/write.js';
import { mapLimit } from '../src/util/pool.js';
import { startAwsStack, STACK_CREDENTIALS, TEST_BUCKET } from '../test/stack/aws-stack.js';
import { GLUE_OPS, startFakeGlue, type GlueOp } from '../test/fakes/glue.js';
import { median, writeBenchSection } from './bench-report.js';

const SCRIPT = 'bench/catalog-partitions.ts';
const PARTITIONS = 20_000;
const MISSING_EVERY = 200; // every 200th storage partition left out of Glue: 100 missing
const STALE = 50;
const ROUNDS = 5;
const PREFIX = 'bench-catalog';
const DATABASE = 'cbbd_silver';
const credentials = {
  accessKeyId: STACK_CREDENTIALS.AWS_ACCESS_KEY_ID,
  secretAccessKey: STACK_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
};

/** 20,000 synthetic (season, date) pairs: 365 consecutive days from each November 1, seasons from 1972 on. */
function partitionValues(n: number): [string, string][] {
  const out: [string, string][] = [];
  for (let season = 1972; out.length < n; season++) {
    const start = Date.UTC(season - 1, 10, 1);
    for (let d = 0; d < 365 && out.length < n; d++)
      out.push([String(season), new Date(start + d * 86_400_000).toISOString().slice(0, 10)]);
  }
  return out;
}

/** Counts the commands an SDK client sends, by name (a list page is one `ListObjectsV2Command`). */
function countCommands(client: S3Client): Map<string, number> {
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counts.set(context.commandName!, (counts.get(context.commandName!) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'benchCommandCounter' },
  );
  return counts;
}

const stack = await startAwsStack();
const glue = await startFakeGlue();
try {
  const s3 = new S3Client({
    endpoint: stack.s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
  });
  const s3Calls = countCommands(s3);
  const store = createCountingStore(createS3Store(s3, TEST_BUCKET, PREFIX));
  const lakeUri = store.uri;
  const values = partitionValues(PARTITIONS);
  const keyOf = ([season, date]: string[]) =>
    `silver/fct_plays/season=${season}/date=${date}/part-00000000.parquet`;

  // One tiny file, written to every partition with plain PUTs (32 in flight): the check only lists keys.
  const tiny = writeParquet(
    [
      { name: 'id', type: 'INT64' },
      { name: 'gameId', type: 'INT64' },
    ],
    [{ id: 1, gameId: 1 }],
  );
  const w0 = performance.now();
  await mapLimit(values, 32, (v) =>
    s3.send(new PutObjectCommand({ Bucket: TEST_BUCKET, Key: `${PREFIX}/${keyOf(v)}`, Body: tiny })),
  );
  const writeSeconds = (performance.now() - w0) / 1000;
  process.stderr.write(`wrote ${PARTITIONS} objects in ${writeSeconds.toFixed(0)} s\n`);

  const tableLocation = `${lakeUri}/silver/fct_plays/`;
  glue.seedTable(DATABASE, {
    Name: 'fct_plays',
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'parquet' },
    PartitionKeys: [
      { Name: 'season', Type: 'string' },
      { Name: 'date', Type: 'string' },
    ],
    StorageDescriptor: parquetStorageDescriptor(tableLocation, [{ Name: 'id', Type: 'bigint' }]),
  });
  const registered: GluePartition[] = values
    .filter((_, i) => i % MISSING_EVERY !== MISSING_EVERY - 1)
    .map((v) => ({
      Values: v,
      StorageDescriptor: parquetStorageDescriptor(`${tableLocation}season=${v[0]}/date=${v[1]}/`),
    }));
  const stale: GluePartition[] = partitionValues(PARTITIONS + STALE)
    .slice(PARTITIONS)
    .map((v) => ({
      Values: v,
      StorageDescriptor: parquetStorageDescriptor(`${tableLocation}season=${v[0]}/date=${v[1]}/`),
    }));
  glue.seedPartitions(DATABASE, 'fct_plays', [...registered, ...stale]);
  const catalog = createGlueCatalog(new GlueClient({ endpoint: glue.url, region: 'us-east-1', credentials }));
  const keyOfLocation = (location: string) =>
    location.startsWith(`${lakeUri}/`) ? location.slice(lakeUri.length + 1) : undefined;

  const listPages = () => s3Calls.get('ListObjectsV2Command') ?? 0;
  const glueTotal = () => ({ ...glue.counters });
  const glueDelta = (before: Record<GlueOp, number>) =>
    Object.fromEntries(GLUE_OPS.map((op) => [op, glue.counters[op] - before[op]])) as Record<GlueOp, number>;

  interface Sample {
    ms: number;
    pages: number;
    keys: number;
    glue: Record<GlueOp, number>;
  }
  const samples: Record<'list' | 'inventory' | 'check', Sample[]> = { list: [], inventory: [], check: [] };
  const measure = async <T>(name: keyof typeof samples, fn: () => Promise<T>): Promise<T> => {
    const pages = listPages();
    const keys = store.counters.listedKeys;
    const g = glueTotal();
    const t0 = performance.now();
    const out = await fn();
    samples[name].push({
      ms: performance.now() - t0,
      pages: listPages() - pages,
      keys: store.counters.listedKeys - keys,
      glue: glueDelta(g),
    });
    return out;
  };
  const bareList = () =>
    measure('list', async () => {
      let n = 0;
      for await (const o of store.list('silver/fct_plays/')) if (o.key) n++;
      return n;
    });
  let found: { missing: number; stale: number } | undefined;
  const inventoryAndCheck = async () => {
    const inventory: Inventory = await measure('inventory', () => takeInventory(store, 'silver'));
    const { gaps } = await measure('check', () =>
      checkCatalog(inventory.tables, catalog, DATABASE, keyOfLocation),
    );
    found = {
      missing: gaps.find((g) => g.kind === 'catalog_missing_partition')?.count ?? 0,
      stale: gaps.find((g) => g.kind === 'catalog_stale_partition')?.count ?? 0,
    };
  };
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(os.loadavg()[0]!);
    if (round % 2 === 0) {
      await bareList();
      await inventoryAndCheck();
    } else {
      await inventoryAndCheck();
      await bareList();
    }
    const last = (k: keyof typeof samples) => samples[k][samples[k].length - 1]!;
    process.stderr.write(
      `round ${round + 1}: list ${last('list').ms.toFixed(0)} ms, inventory ${last('inventory').ms.toFixed(0)} ms, check ${last('check').ms.toFixed(0)} ms\n`,
    );
  }

  const med = (k: keyof typeof samples) => median(samples[k].map((s) => s.ms));
  const ref = med('list');
  const one = (k: keyof typeof samples) => samples[k][0]!;
  const glueCalls = (s: Sample) =>
    Object.entries(s.glue)
      .filter(([, n]) => n > 0)
      .map(([op, n]) => `${op} ${n}`)
      .join(', ') || '0';
  const glueSum = (s: Sample) => Object.values(s.glue).reduce((a, b) => a + b, 0);
  const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;
  const row = (label: string, k: keyof typeof samples, total?: number) => {
    const s = one(k);
    const t = total ?? med(k);
    return [
      label,
      ms(t),
      `${(t / ref).toFixed(2)}×`,
      String(s.pages),
      s.keys.toLocaleString('en'),
      glueCalls(s),
      samples[k].map((x) => (x.ms / 1000).toFixed(2)).join(', '),
    ];
  };
  const checkAndList = median(samples.inventory.map((s, i) => s.ms + samples.check[i]!.ms));
  const table = markdownTable(
    [
      ['Step', 'Median time', 'vs bare listing', 'S3 list pages', 'Keys listed', 'Glue calls', 'Runs (s)'],
      row('bare listing of `silver/fct_plays/` (`store.list`) — reference', 'list'),
      row('audit inventory (`takeInventory` of `silver/`)', 'inventory'),
      row('catalog check (`checkCatalog`, given the inventory)', 'check'),
      [
        '**inventory + check** (what the audit spends on catalog findings)',
        ms(checkAndList),
        `${(checkAndList / ref).toFixed(2)}×`,
        String(one('inventory').pages + one('check').pages),
        (one('inventory').keys + one('check').keys).toLocaleString('en'),
        glueCalls(one('check')),
        '',
      ],
    ],
    { align: ['l', 'r', 'r', 'r', 'r', 'l', 'l'] },
  );
  const expectedPages = Math.ceil(PARTITIONS / 1000);
  const glueRegistered = registered.length + stale.length;
  const expectedGlue = 1 + Math.ceil(glueRegistered / 1000);
  const pagesOk = one('check').pages === 0 && one('inventory').pages === expectedPages;
  const glueOk = glueSum(one('check')) === expectedGlue;
  const body = `\`node_modules/node/bin/node --import tsx ${SCRIPT}\` · ${ROUNDS} rounds, bare listing and inventory + check alternating (order swapped each round), median. Fresh s3rver (the test stack: s3rver 3.7.1 in a child process behind the conditional-put shim) and fake Glue on loopback; ${PARTITIONS.toLocaleString('en')} partitions of \`fct_plays\` (\`season=1972…2026/date=…\`, synthetic dates), one ${tiny.byteLength}-byte Parquet file each, written in ${writeSeconds.toFixed(0)} s (32 PUTs in flight, not timed below); Glue holds ${registered.length.toLocaleString('en')} of them plus ${STALE} stale (${glueRegistered.toLocaleString('en')}). 1-minute load average at the start of each round: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} on 2 cores.

${table}

The check found ${found?.missing ?? '?'} missing and ${found?.stale ?? '?'} stale partitions (expected ${PARTITIONS - registered.length} and ${STALE}). Calls: ${pagesOk ? '✅' : '❌'} S3 list pages = ⌈keys ÷ 1,000⌉ = ${expectedPages} for the listing, 0 in the check itself; ${glueOk ? '✅' : '❌'} Glue = 1 GetTable + ⌈${glueRegistered.toLocaleString('en')} ÷ 1,000⌉ GetPartitions pages = ${expectedGlue} (one call per partition would be ${glueRegistered.toLocaleString('en')}).

**What this shows.** The check costs pages, not partitions: it reuses the audit's one listing of \`silver/\` and pages through GetPartitions 1,000 at a time, so its calls grow by one per 1,000 partitions; its own time (Glue pages plus comparing 20,000 storage partitions with ${glueRegistered.toLocaleString('en')} catalog ones) is set against the one thing it cannot avoid, listing the table. Pages are counted at the SDK (\`ListObjectsV2Command\` sent) and Glue calls by the fake's per-operation counters. **What it does not show.** Real S3 and Glue latencies: s3rver walks its directory tree for every page, and the fake Glue answers from memory on loopback, so the absolute times and the ratio are those of this stack, not of AWS (where a list page and a GetPartitions page each cost tens of milliseconds, and the call counts above are what carries over).`;
  writeBenchSection(
    'catalog-partitions',
    'Catalog check: 20,000 partitions on S3 (s3rver) and Glue (fake)',
    body,
  );
} finally {
  await glue.close();
  await stack.stop();
}
