// Parquet writers on the lake's widest table: 200,000 fct_plays rows (53 columns), written by hyparquet-writer
// (what the bot uses) and by parquetjs-lite (what the project was first specified with), alternating, 3 rounds.
// Run: npx tsx bench/parquet-writers.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { markdownTable } from 'markdown-table';
import { syntheticGames, syntheticPlays } from '../src/demo/synthetic-api.js';
import { tableRules } from '../src/fill/column-rules.js';
import { silverTable } from '../src/fill/write-game.js';
import { coerce, writeParquet, type ColumnType } from '../src/parquet/write.js';
import { median, writeBenchSection } from './bench-report.js';

const require = createRequire(import.meta.url);
const parquetjs = require('parquetjs-lite') as {
  ParquetSchema: new (fields: Record<string, unknown>) => unknown;
  ParquetWriter: {
    openFile(
      schema: unknown,
      file: string,
    ): Promise<{ appendRow(row: object): Promise<void>; close(): Promise<void> }>;
  };
};

const ROWS = 200_000;
const games = syntheticGames(7, 2024, 600);
const plays = [];
for (const g of games) {
  if (plays.length >= ROWS) break;
  plays.push(...syntheticPlays(7, g, 400));
}
plays.length = ROWS;
// The columns and values a fill writes for these plays (the pipeline's types and texts).
const { columns: FCT_PLAYS_COLUMNS, rows } = silverTable(
  'plays_game',
  plays,
  ['id'],
  tableRules('silver', 'cbbd_silver', 'fct_plays'),
);

const PJS_TYPES: Record<ColumnType, string> = {
  INT64: 'INT64',
  INT32: 'INT32',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  STRING: 'UTF8',
};
const dir = mkdtempSync(path.join(os.tmpdir(), 'cbbd-pq-bench-'));

async function hyparquet(): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const bytes = writeParquet(FCT_PLAYS_COLUMNS, rows);
  return { ms: performance.now() - t0, bytes: bytes.byteLength };
}

async function parquetjsLite(compression: 'UNCOMPRESSED' | 'SNAPPY'): Promise<{ ms: number; bytes: number }> {
  const schema = new parquetjs.ParquetSchema(
    Object.fromEntries(
      FCT_PLAYS_COLUMNS.map((c) => [c.name, { type: PJS_TYPES[c.type], optional: true, compression }]),
    ),
  );
  const file = path.join(dir, `pjs-${compression}.parquet`);
  rmSync(file, { force: true });
  const t0 = performance.now();
  const writer = await parquetjs.ParquetWriter.openFile(schema, file);
  for (const row of rows) {
    const clean: Record<string, unknown> = {};
    for (const c of FCT_PLAYS_COLUMNS) {
      const v = coerce(row[c.name], c.type);
      if (v !== null) clean[c.name] = typeof v === 'bigint' ? Number(v) : v;
    }
    await writer.appendRow(clean);
  }
  await writer.close();
  return { ms: performance.now() - t0, bytes: statSync(file).size };
}

const runs: Record<string, { ms: number[]; bytes: number }> = {};
const record = (name: string, r: { ms: number; bytes: number }) => {
  (runs[name] ??= { ms: [], bytes: r.bytes }).ms.push(r.ms);
};
for (let round = 0; round < 3; round++) {
  record('hyparquet-writer 0.17 (snappy)', await hyparquet());
  record('parquetjs-lite 0.8.7 (uncompressed, its default)', await parquetjsLite('UNCOMPRESSED'));
  record('parquetjs-lite 0.8.7 (snappy)', await parquetjsLite('SNAPPY'));
}
rmSync(dir, { recursive: true, force: true });

const ref = median(runs['hyparquet-writer 0.17 (snappy)']!.ms);
const refBytes = runs['hyparquet-writer 0.17 (snappy)']!.bytes;
const table = markdownTable(
  [
    ['Writer', 'Median time', 'Time vs hyparquet-writer', 'File size', 'Size vs hyparquet-writer'],
    ...Object.entries(runs).map(([name, r]) => [
      name,
      `${(median(r.ms) / 1000).toFixed(2)} s`,
      `${(median(r.ms) / ref).toFixed(2)}×`,
      `${(r.bytes / 1e6).toFixed(1)} MB`,
      `${(r.bytes / refBytes).toFixed(2)}×`,
    ]),
  ],
  { align: ['l', 'r', 'r', 'r', 'r'] },
);
writeBenchSection(
  'parquet-writers',
  'Parquet writers: 200,000 fct_plays rows, 53 columns',
  `\`npx tsx bench/parquet-writers.ts\` · 3 alternating rounds, median.\n\n${table}`,
);
