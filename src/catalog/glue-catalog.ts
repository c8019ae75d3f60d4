import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  GetTableCommand,
  paginateGetPartitions,
  type GlueClient,
  type PartitionError,
  type StorageDescriptor,
  type Table,
} from '@aws-sdk/client-glue';
import {
  CREATE_BATCH,
  DELETE_BATCH,
  type BatchResult,
  type Catalog,
  type CatalogPartition,
  type CatalogTable,
  toCatalogTable,
} from './catalog.js';
import type { GlueStorageDescriptor, GlueTable } from './glue-shapes.js';

/** GetPartitions answers at most 1,000 partitions a page (`MaxResults` 1–1000); ask for full pages. */
const PARTITION_PAGE = 1000;

/**
 * The catalog port over AWS Glue (`@aws-sdk/client-glue`; the client comes from the composition root, which
 * points it at `AWS_ENDPOINT_URL_GLUE` when set). Writes go in Glue's batch sizes and report every per-entry
 * error instead of dropping it.
 */
export function createGlueCatalog(client: GlueClient): Catalog {
  return {
    kind: 'glue',

    async getTable(database, name) {
      try {
        const { Table: table } = await client.send(
          new GetTableCommand({ DatabaseName: database, Name: name }),
        );
        return table ? catalogTable(database, table) : undefined;
      } catch (e) {
        // Glue answers a missing table, and a missing database, with EntityNotFoundException.
        if (e instanceof Error && e.name === 'EntityNotFoundException') return undefined;
        throw e;
      }
    },

    async *listPartitions(table) {
      const pages = paginateGetPartitions(
        { client, pageSize: PARTITION_PAGE },
        { DatabaseName: table.database, TableName: table.name },
      );
      for await (const page of pages) {
        for (const p of page.Partitions ?? []) {
          yield {
            values: p.Values ?? [],
            location: p.StorageDescriptor?.Location,
          } satisfies CatalogPartition;
        }
      }
    },

    async createPartitions(table, partitions) {
      const result: BatchResult = { done: 0, failed: [] };
      for (const batch of chunks(partitions, CREATE_BATCH)) {
        const { Errors } = await client.send(
          new BatchCreatePartitionCommand({
            DatabaseName: table.database,
            TableName: table.name,
            PartitionInputList: batch.map((p) => ({
              Values: p.values,
              // A partition carries its own storage descriptor; Athena reads the partition's format and
              // Location, so copy the table's and point it at the partition's prefix.
              StorageDescriptor: { ...sdkDescriptor(table.glue.StorageDescriptor), Location: p.location },
            })),
          }),
        );
        addOutcome(result, batch.length, Errors);
      }
      return result;
    },

    async deletePartitions(table, values) {
      const result: BatchResult = { done: 0, failed: [] };
      for (const batch of chunks(values, DELETE_BATCH)) {
        const { Errors } = await client.send(
          new BatchDeletePartitionCommand({
            DatabaseName: table.database,
            TableName: table.name,
            PartitionsToDelete: batch.map((v) => ({ Values: v })),
          }),
        );
        addOutcome(result, batch.length, Errors);
      }
      return result;
    },
  };
}

/**
 * A batch call succeeds as a whole even when entries fail: Glue lists each failed entry in `Errors`
 * (`AlreadyExistsException` for a registered partition, `EntityNotFoundException` for a missing one).
 */
function addOutcome(result: BatchResult, sent: number, errors: PartitionError[] | undefined) {
  for (const e of errors ?? []) {
    const code = e.ErrorDetail?.ErrorCode ?? 'UnknownError';
    result.failed.push({
      values: e.PartitionValues ?? [],
      reason: e.ErrorDetail?.ErrorMessage ? `${code}: ${e.ErrorDetail.ErrorMessage}` : code,
    });
  }
  result.done += sent - (errors?.length ?? 0);
}

function catalogTable(database: string, table: Table): CatalogTable {
  const glue: GlueTable = {
    Name: table.Name ?? '',
    DatabaseName: table.DatabaseName ?? database,
    // Glue allows a column without a type; the pipeline's partition keys are all `string`.
    PartitionKeys: (table.PartitionKeys ?? []).map((c) => ({ Name: c.Name ?? '', Type: c.Type ?? 'string' })),
    StorageDescriptor: glueDescriptor(table.StorageDescriptor),
    TableType: table.TableType,
    Parameters: table.Parameters,
  };
  return toCatalogTable(database, glue);
}

function glueDescriptor(sd: StorageDescriptor | undefined): GlueStorageDescriptor | undefined {
  if (!sd) return undefined;
  return {
    ...sd,
    Columns: (sd.Columns ?? []).map((c) => ({ Name: c.Name ?? '', Type: c.Type ?? 'string' })),
  };
}

function sdkDescriptor(sd: GlueStorageDescriptor | undefined): StorageDescriptor {
  return { ...(sd ?? {}) } as StorageDescriptor;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
