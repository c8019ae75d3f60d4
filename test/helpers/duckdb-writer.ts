import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ParquetEncoder } from '../../src/demo/generate-lake.js';
import type { ColumnType } from '../../src/parquet/write.js';

const DUCK_TYPES: Record<ColumnType, string> = {
  INT64: 'BIGINT',
  INT32: 'INTEGER',
  DOUBLE: 'DOUBLE',
  BOOLEAN: 'BOOLEAN',
  STRING: 'VARCHAR',
};

/**
 * A Parquet encoder backed by DuckDB, for lakes "written by another writer": DuckDB's own page layout,
 * dictionary pages for strings, and the codec asked for (files alternate snappy and zstd by default).
 */
export async function createDuckDbEncoder(
  codecs: readonly ('snappy' | 'zstd')[] = ['snappy', 'zstd'],
): Promise<{
  encode: ParquetEncoder;
  close(): Promise<void>;
}> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbbd-duck-writer-'));
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  let n = 0;
  let queue = Promise.resolve();
  const encode: ParquetEncoder = (columns, rows) => {
    const codec = codecs[n++ % codecs.length]!;
    const run = queue.then(async () => {
      const id = randomUUID();
      const json = path.join(dir, `${id}.ndjson`);
      const out = path.join(dir, `${id}.parquet`);
      await writeFile(
        json,
        rows
          .map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)))
          .join('\n'),
      );
      const spec = columns.map((c) => `'${c.name}': '${DUCK_TYPES[c.type]}'`).join(', ');
      const select = columns.map((c) => `"${c.name}"`).join(', ');
      await conn.run(
        `COPY (SELECT ${select} FROM read_json('${json}', format = 'newline_delimited', columns = {${spec}})) ` +
          `TO '${out}' (FORMAT parquet, COMPRESSION ${codec})`,
      );
      const bytes = new Uint8Array(await readFile(out));
      await rm(json);
      await rm(out);
      return bytes;
    });
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
  return {
    encode,
    async close() {
      conn.closeSync();
      instance.closeSync();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
