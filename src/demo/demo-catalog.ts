import { parquetStorageDescriptor, type GluePartition, type GlueTable } from '../catalog/glue-shapes.js';

/** A partitioned table the demo lake registers in its local catalog. */
export interface CatalogTableSeed {
  table: string;
  partitionKeys: string[];
  partitions: string[][];
}

/**
 * The local catalog documents (`_catalog/<database>/<table>.json`, Glue's shapes) for the demo lake's silver
 * tables. Partition keys are strings, as the pipeline's Glue tables declare them.
 */
export function catalogTables(
  lakeUri: string,
  database: string,
  seeds: readonly CatalogTableSeed[],
): { key: string; json: string }[] {
  return seeds.map((seed) => {
    const location = `${lakeUri}/silver/${seed.table}/`;
    const table: GlueTable = {
      Name: seed.table,
      DatabaseName: database,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { classification: 'parquet' },
      PartitionKeys: seed.partitionKeys.map((Name) => ({ Name, Type: 'string' })),
      StorageDescriptor: parquetStorageDescriptor(location),
    };
    const partitions: GluePartition[] = seed.partitions.map((values) => ({
      Values: values,
      StorageDescriptor: {
        ...parquetStorageDescriptor(
          `${location}${seed.partitionKeys.map((k, i) => `${k}=${values[i]}`).join('/')}/`,
        ),
      },
    }));
    return {
      key: `_catalog/${database}/${seed.table}.json`,
      json: JSON.stringify({ Table: table, Partitions: partitions }, null, 1),
    };
  });
}
