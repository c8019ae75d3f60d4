/**
 * Glue column types next to the Parquet types under them. The pipeline's `GlueCatalog` declares `bigint`, `int`,
 * `double`, `boolean`, `timestamp` and `string`; Athena reads a file's column only when its Parquet type fits
 * the declared one (an INT64 column under `string` is HIVE_BAD_DATA), widening INT32 to `bigint` and FLOAT to
 * `double` as its documented compatible types allow.
 */

import type { ColumnType } from '../parquet/write.js';

/** Normalizes a Glue type: lower case, `varchar(10)` and `char(3)` read as `string`. */
export function glueTypeName(glueType: string): string {
  const t = glueType.trim().toLowerCase();
  return /^(var)?char\(\d+\)$/.test(t) ? 'string' : t;
}

const WRITTEN: Readonly<Record<string, ColumnType>> = {
  bigint: 'INT64',
  int: 'INT32',
  integer: 'INT32',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'STRING',
};

/** The column type the bot writes under a declared Glue type; undefined for one it does not write (`timestamp`). */
export function columnTypeForGlue(glueType: string): ColumnType | undefined {
  return WRITTEN[glueTypeName(glueType)];
}

/** The Glue type of a column the bot writes, as the pipeline's `_pa_to_glue` names it. */
export function glueTypeFor(type: ColumnType): string {
  return { INT64: 'bigint', INT32: 'int', DOUBLE: 'double', BOOLEAN: 'boolean', STRING: 'string' }[type];
}

/** Parquet type labels (`parquetTypeLabel`) Athena reads under each Glue type. */
const READABLE: Readonly<Record<string, readonly string[]>> = {
  bigint: ['INT64', 'INT32'],
  int: ['INT32'],
  integer: ['INT32'],
  double: ['DOUBLE', 'FLOAT'],
  float: ['FLOAT'],
  boolean: ['BOOLEAN'],
  string: ['BYTE_ARRAY/UTF8', 'BYTE_ARRAY/ENUM', 'BYTE_ARRAY/JSON', 'BYTE_ARRAY'],
  timestamp: ['INT96', 'INT64/TIMESTAMP_MILLIS', 'INT64/TIMESTAMP_MICROS', 'INT64/TIMESTAMP_NANOS'],
};

/** Whether Athena reads a Parquet column of `label` under `glueType`; undefined for Glue types not checked. */
export function glueReads(glueType: string, label: string): boolean | undefined {
  return READABLE[glueTypeName(glueType)]?.includes(label);
}
