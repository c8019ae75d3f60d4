import type { FileMetaData, LogicalType, SchemaElement } from 'hyparquet';
import { parquetSchema } from 'hyparquet';

/**
 * A column's type as one label, physical type and annotation: `INT64`, `BYTE_ARRAY/UTF8`,
 * `INT64/TIMESTAMP_MICROS`. Annotations that add nothing are dropped, so writers agree: DuckDB marks INTEGER
 * `INT_32` and pyarrow leaves int32 bare, and a string is `UTF8` whether the file says so by its converted or
 * its logical type.
 */
export function parquetTypeLabel(element: SchemaElement): string {
  const annotation = element.converted_type ?? logicalAnnotation(element.logical_type);
  if (element.num_children !== undefined && element.num_children > 0)
    return annotation ? `GROUP/${annotation}` : 'GROUP';
  const physical = element.type ?? 'UNKNOWN';
  if (
    (physical === 'INT32' && annotation === 'INT_32') ||
    (physical === 'INT64' && annotation === 'INT_64') ||
    annotation === undefined
  )
    return physical;
  return `${physical}/${annotation}`;
}

function logicalAnnotation(logical: LogicalType | undefined): string | undefined {
  if (!logical) return undefined;
  switch (logical.type) {
    case 'STRING':
      return 'UTF8';
    case 'INTEGER':
      return `${logical.isSigned ? '' : 'U'}INT_${logical.bitWidth}`;
    case 'TIMESTAMP':
    case 'TIME':
      return `${logical.type}_${logical.unit}`;
    default:
      return logical.type;
  }
}

/** The top-level columns of a file with their type labels, in file order. */
export function columnTypes(metadata: FileMetaData): [string, string][] {
  return parquetSchema(metadata).children.map((c) => [c.element.name, parquetTypeLabel(c.element)]);
}
