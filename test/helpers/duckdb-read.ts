import { DuckDBInstance } from '@duckdb/node-api';

/** A file's columns as DuckDB reads its footer: `[name, physical type or physical/converted type]`, file order. */
export type FileSchema = [string, string][];

/**
 * Reads Parquet files back with DuckDB (another reader than the one the bot writes and audits with): each
 * file's schema, its rows as JSON values (BIGINT as numbers) and its codecs.
 */
export async function openDuckDbReader() {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const quote = (file: string) => `'${file.replace(/'/g, "''")}'`;
  const query = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJson();
  return {
    async schema(file: string): Promise<FileSchema> {
      const rows = await query(
        `SELECT name, type, converted_type FROM parquet_schema(${quote(file)}) WHERE num_children IS NULL`,
      );
      return rows.map((r) => {
        const converted = r.converted_type === null ? '' : String(r.converted_type);
        const plain =
          converted === '' ||
          (converted === `INT_${String(r.type).slice(3)}` && /^INT(32|64)$/.test(String(r.type)));
        return [String(r.name), plain ? String(r.type) : `${String(r.type)}/${converted}`];
      });
    },
    async rows(file: string): Promise<Record<string, unknown>[]> {
      const reader = await conn.runAndReadAll(`SELECT * FROM read_parquet(${quote(file)})`);
      return reader
        .getRowObjectsJS()
        .map((r) =>
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
        );
    },
    async codecs(file: string): Promise<string[]> {
      const rows = await query(`SELECT DISTINCT compression FROM parquet_metadata(${quote(file)})`);
      return rows.map((r) => String(r.compression));
    },
    close() {
      conn.closeSync();
      db.closeSync();
    },
  };
}
