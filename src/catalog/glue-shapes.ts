/**
 * The slice of Glue's own JSON shapes the bot reads and writes (GetTable's `Table`, GetPartitions' `Partitions`),
 * shared by the Glue adapter and the local catalog file so both hold the same documents.
 */
export interface GlueColumn {
  Name: string;
  Type: string;
}

export interface GlueStorageDescriptor {
  Location?: string;
  Columns?: GlueColumn[];
  InputFormat?: string;
  OutputFormat?: string;
  SerdeInfo?: { SerializationLibrary?: string; Parameters?: Record<string, string> };
  [more: string]: unknown;
}

export interface GlueTable {
  Name: string;
  DatabaseName?: string;
  PartitionKeys?: GlueColumn[];
  StorageDescriptor?: GlueStorageDescriptor;
  TableType?: string;
  Parameters?: Record<string, string>;
}

export interface GluePartition {
  Values: string[];
  StorageDescriptor?: GlueStorageDescriptor;
}

/** A Parquet table's storage descriptor as the pipeline's `GlueCatalog.ensure_table` creates it. */
export function parquetStorageDescriptor(
  location: string,
  columns: GlueColumn[] = [],
): GlueStorageDescriptor {
  return {
    Location: location,
    Columns: columns,
    InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
  };
}
