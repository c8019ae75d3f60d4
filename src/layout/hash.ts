import { createHash } from 'node:crypto';
import { pythonJsonDumps, type JsonValue } from './python-json.js';

/**
 * The pipeline's parameter hash: sha256 of `json.dumps(params, sort_keys=True)`.
 * `{"gameId": 123}` hashes to `93edef5d…`; checkpoints use all 64 hex digits, file names the first 8.
 */
export function paramsHash(params: { [key: string]: JsonValue }): string {
  return createHash('sha256').update(pythonJsonDumps(params, true), 'utf8').digest('hex');
}

/** The `part-{hash8}` suffix of every file the pipeline writes for one API call. */
export function paramsHash8(params: { [key: string]: JsonValue }): string {
  return paramsHash(params).slice(0, 8);
}
