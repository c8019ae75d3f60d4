import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../util/errors.js';
import {
  CREATE_BATCH,
  DELETE_BATCH,
  type BatchResult,
  type Catalog,
  type CatalogPartition,
  toCatalogTable,
} from './catalog.js';
import type { GluePartition, GlueTable } from './glue-shapes.js';

/** `_catalog/<database>/<table>.json` holds `{ "Table": …, "Partitions": […] }` in Glue's own shapes. */
interface LocalTableDocument {
  Table: GlueTable;
  Partitions: GluePartition[];
}

/**
 * The catalog of a file lake: one JSON document per table under `<lake>/_catalog/<database>/`, in Glue's shapes,
 * so a copy of a Glue catalog can be dropped in as it is. Updates replace the document atomically (write a
 * temporary file, then rename). Batches mirror Glue's limits so the two adapters behave alike.
 */
export function createLocalCatalog(lakeRoot: string): Catalog {
  const fileOf = (database: string, table: string) => {
    if (!/^[\w.-]+$/.test(database) || !/^[\w.-]+$/.test(table))
      throw new UsageError(`catalog: odd name ${database}.${table}`);
    return path.join(lakeRoot, '_catalog', database, `${table}.json`);
  };

  async function load(database: string, table: string): Promise<LocalTableDocument | undefined> {
    const file = fileOf(database, table);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let doc: Partial<LocalTableDocument>;
    try {
      doc = JSON.parse(text) as Partial<LocalTableDocument>;
    } catch (e) {
      throw new UsageError(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!doc.Table || typeof doc.Table.Name !== 'string')
      throw new UsageError(`${file}: expected {"Table": {"Name": …}, "Partitions": […]}`);
    return { Table: doc.Table, Partitions: Array.isArray(doc.Partitions) ? doc.Partitions : [] };
  }

  async function save(database: string, table: string, doc: LocalTableDocument): Promise<void> {
    const file = fileOf(database, table);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await writeFile(tmp, `${JSON.stringify(doc, null, 1)}\n`);
    await rename(tmp, file);
  }

  const sameValues = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((v, i) => v === b[i]);

  return {
    kind: 'local',

    async getTable(database, name) {
      const doc = await load(database, name);
      if (!doc) return undefined;
      return toCatalogTable(database, doc.Table);
    },

    async *listPartitions(table) {
      const doc = await load(table.database, table.name);
      for (const p of doc?.Partitions ?? [])
        yield { values: p.Values, location: p.StorageDescriptor?.Location } satisfies CatalogPartition;
    },

    async createPartitions(table, partitions) {
      const result: BatchResult = { done: 0, failed: [] };
      for (let i = 0; i < partitions.length; i += CREATE_BATCH) {
        const doc = await load(table.database, table.name);
        if (!doc) {
          result.failed.push(
            ...partitions.slice(i).map((p) => ({
              values: p.values,
              reason: `EntityNotFoundException: table ${table.name} not found`,
            })),
          );
          break;
        }
        for (const p of partitions.slice(i, i + CREATE_BATCH)) {
          if (p.values.length !== table.partitionKeys.length) {
            result.failed.push({
              values: p.values,
              reason: `InvalidInputException: ${p.values.length} values for ${table.partitionKeys.length} partition keys`,
            });
          } else if (doc.Partitions.some((x) => sameValues(x.Values, p.values))) {
            result.failed.push({
              values: p.values,
              reason: 'AlreadyExistsException: partition already exists',
            });
          } else {
            doc.Partitions.push({
              Values: p.values,
              StorageDescriptor: { ...doc.Table.StorageDescriptor, Location: p.location },
            });
            result.done++;
          }
        }
        await save(table.database, table.name, doc);
      }
      return result;
    },

    async deletePartitions(table, values) {
      const result: BatchResult = { done: 0, failed: [] };
      for (let i = 0; i < values.length; i += DELETE_BATCH) {
        const doc = await load(table.database, table.name);
        if (!doc) break;
        for (const v of values.slice(i, i + DELETE_BATCH)) {
          const before = doc.Partitions.length;
          doc.Partitions = doc.Partitions.filter((p) => !sameValues(p.Values, v));
          if (doc.Partitions.length < before) result.done++;
          else result.failed.push({ values: v, reason: 'EntityNotFoundException: partition not found' });
        }
        await save(table.database, table.name, doc);
      }
      return result;
    },
  };
}
