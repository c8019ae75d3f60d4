import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '../lake/object-store.js';
import { rawDir, type LakeLayout } from '../layout/keys.js';
import type { Logger } from '../util/logger.js';
import { errorMessage } from '../util/errors.js';
import type { AnswerSize } from './call-plan.js';

/** Raw files read to measure an endpoint's answers: enough for a mean, few enough to cost nothing. */
const SAMPLE_FILES = 4;

/**
 * What one game's answer weighs when the lake holds none to measure: a plays answer is ~400 records of ~1.6 kB
 * (participants and on-floor lists included), a substitutions answer ~60 of ~0.5 kB.
 */
const FALLBACK: Record<string, { rowsPerGame: number; bytesPerRow: number }> = {
  plays_game: { rowsPerGame: 450, bytesPerRow: 1600 },
  substitutions_game: { rowsPerGame: 70, bytesPerRow: 550 },
  lineups_game: { rowsPerGame: 30, bytesPerRow: 700 },
};

/** The estimate for an endpoint when nothing is measured. */
export function defaultAnswerSize(endpoint: string, capBytes: number): AnswerSize {
  return { ...(FALLBACK[endpoint] ?? { rowsPerGame: 400, bytesPerRow: 1600 }), capBytes };
}

/**
 * Rows per game and bytes per row of an endpoint's answers, measured on a few raw files of the newest ingest days
 * (each is one per-game answer as gzipped NDJSON, one record a line: the answer's rows and, within a few bytes
 * of JSON spacing, its size); the fallback above when there are none or none can be read.
 */
export async function measureAnswers(
  store: ObjectStore,
  layout: LakeLayout,
  endpoint: string,
  capBytes: number,
  logger: Logger,
): Promise<AnswerSize & { measuredFiles: number }> {
  let files = 0;
  let rows = 0;
  let bytes = 0;
  try {
    // The newest `ingested_at=` partitions first: one listing level, then as few objects as the sample needs.
    const { prefixes } = await store.listChildren(`${layout.raw}/${rawDir(endpoint)}/`);
    for (const prefix of prefixes.sort().reverse()) {
      for await (const info of store.list(prefix)) {
        if (!info.key.endsWith('.json.gz') || info.size === 0) continue;
        const text = gunzipSync(await store.get(info.key)).toString('utf8');
        const lines = text.split('\n').filter((l) => l.trim() !== '');
        if (lines.length === 0) continue;
        files++;
        rows += lines.length;
        bytes += Buffer.byteLength(text);
        if (files >= SAMPLE_FILES) break;
      }
      if (files >= SAMPLE_FILES) break;
    }
  } catch (e) {
    logger.warn(`answer sizes: could not read raw ${endpoint} files (${errorMessage(e)}); using estimates`);
  }
  if (files === 0) return { ...defaultAnswerSize(endpoint, capBytes), measuredFiles: 0 };
  return { rowsPerGame: rows / files, bytesPerRow: bytes / rows, capBytes, measuredFiles: files };
}
