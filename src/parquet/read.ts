import {
  parquetMetadataAsync,
  parquetRead,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ObjectInfo, ObjectStore } from '../lake/object-store.js';
import { errorMessage, RunFailedError } from '../util/errors.js';

/**
 * How many bytes to fetch from a file's end to find its footer in one request, before anything is known about
 * the table. Readers then size later requests from the footers they have seen (`FooterSizer`).
 */
export const DEFAULT_FOOTER_FETCH_BYTES = 8 * 1024;

/**
 * Learns how large a table's footers are, so each file costs one ranged read of about its footer's size: too
 * small a guess costs a second request per file, too large a guess reads column data for nothing.
 */
export function createFooterSizer(initial = DEFAULT_FOOTER_FETCH_BYTES): {
  next(): number;
  saw(metadataLength: number): void;
} {
  let guess = initial;
  let learned = false;
  return {
    next: () => guess,
    saw(metadataLength) {
      // The footer is the metadata plus 8 bytes (length and magic); a little slack covers the next file's.
      const needed = Math.ceil(((metadataLength + 8) * 1.1) / 256) * 256;
      guess = learned ? Math.max(guess, needed) : needed;
      learned = true;
    },
  };
}

/** hyparquet's port over the lake: reads become ranged gets, so only the bytes asked for leave storage. */
export function asyncBufferFromStore(store: ObjectStore, object: ObjectInfo): AsyncBuffer {
  return {
    byteLength: object.size,
    async slice(start: number, end?: number) {
      const bytes = await store.get(object.key, { start, end: end ?? object.size });
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
}

/**
 * Runs a hyparquet read over the store and sorts its failure: a failed read of the store (a reset, a body cut
 * short, a throttled GET) says nothing about the file and is rethrown as such, so an audit does not report a
 * healthy file as a gap nor a fill skip the games of a file it could not read this once (a `RunFailedError`:
 * exit 4 when nothing catches it); any other error means the bytes are not Parquet, an `UnreadableFileError`.
 */
async function readThrough<T>(
  store: ObjectStore,
  object: ObjectInfo,
  read: (file: AsyncBuffer) => Promise<T>,
): Promise<T> {
  const inner = asyncBufferFromStore(store, object);
  let failure: { error: unknown } | undefined;
  try {
    return await read({
      byteLength: inner.byteLength,
      slice: async (start, end) => {
        try {
          return await inner.slice(start, end);
        } catch (error) {
          failure ??= { error };
          throw error;
        }
      },
    });
  } catch (e) {
    if (failure)
      throw new RunFailedError(`could not read ${object.key}: ${errorMessage(failure.error)}`, {
        cause: failure.error,
      });
    throw new UnreadableFileError(object.key, errorMessage(e));
  }
}

/** A Parquet file whose bytes are not a valid file: wrong magic, a footer that lies, a chunk that will not decode. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
  }
}

/** Reads and checks a file's footer: the row count and every column chunk must lie inside the file. */
export async function readFooter(
  store: ObjectStore,
  object: ObjectInfo,
  fetchBytes = DEFAULT_FOOTER_FETCH_BYTES,
): Promise<FileMetaData> {
  if (object.size < 12)
    throw new UnreadableFileError(object.key, `${object.size} bytes is too short for Parquet`);
  const metadata = await readThrough(store, object, (file) =>
    parquetMetadataAsync(file, { initialFetchSize: fetchBytes }),
  );
  // A footer can parse and still lie: the rows it claims must be a count, and the row groups must add up to it.
  const rows = Number(metadata.num_rows);
  const groupRows = metadata.row_groups.reduce((a, rg) => a + Number(rg.num_rows), 0);
  if (!Number.isSafeInteger(rows) || rows < 0 || groupRows !== rows) {
    throw new UnreadableFileError(object.key, `footer claims ${rows} rows in row groups of ${groupRows}`);
  }
  for (const rg of metadata.row_groups) {
    for (const col of rg.columns) {
      const meta = col.meta_data;
      if (!meta) continue;
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      const end = start + Number(meta.total_compressed_size);
      if (start < 4 || end > object.size) {
        throw new UnreadableFileError(
          object.key,
          `footer puts column ${meta.path_in_schema.join('.')} at bytes ${start}-${end} of a ${object.size}-byte file`,
        );
      }
    }
  }
  return metadata;
}

/** The top-level column names of a file. */
export function columnNames(metadata: FileMetaData): string[] {
  return parquetSchema(metadata).children.map((c) => c.element.name);
}

/**
 * Reads only `columns` of a file, as arrays in row order: hyparquet fetches just their column chunks by byte
 * range. INT64 values become numbers (safe for ids), so ids compare equal whatever writer made the file.
 */
export async function readColumns(
  store: ObjectStore,
  object: ObjectInfo,
  metadata: FileMetaData,
  columns: readonly string[],
): Promise<Map<string, unknown[]>> {
  const chunks = new Map<string, { rowStart: number; data: ArrayLike<unknown> }[]>();
  await readThrough(store, object, (file) =>
    parquetRead({
      file,
      metadata,
      columns: [...columns],
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const list = chunks.get(columnName) ?? [];
        list.push({ rowStart, data: columnData });
        chunks.set(columnName, list);
      },
    }),
  );
  const out = new Map<string, unknown[]>();
  for (const column of columns) {
    const values: unknown[] = [];
    for (const chunk of (chunks.get(column) ?? []).sort((a, b) => a.rowStart - b.rowStart)) {
      for (let i = 0; i < chunk.data.length; i++) {
        const v = chunk.data[i];
        values.push(typeof v === 'bigint' ? Number(v) : v);
      }
    }
    out.set(column, values);
  }
  return out;
}
