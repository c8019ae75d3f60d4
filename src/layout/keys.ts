import type { JsonValue } from './python-json.js';
import { paramsHash8 } from './hash.js';

/** The top-level prefixes of the lake (`s3_layout` in config.yaml). */
export interface LakeLayout {
  raw: string;
  bronze: string;
  silver: string;
  deadletter: string;
}

/** The layout from config.yaml's `s3_layout`. */
export function layoutFrom(s3Layout: {
  raw_prefix: string;
  bronze_prefix: string;
  silver_prefix: string;
  deadletter_prefix: string;
}): LakeLayout {
  const clean = (p: string) => p.replace(/^\/+|\/+$/g, '');
  return {
    raw: clean(s3Layout.raw_prefix),
    bronze: clean(s3Layout.bronze_prefix),
    silver: clean(s3Layout.silver_prefix),
    deadletter: clean(s3Layout.deadletter_prefix),
  };
}

/**
 * The pipeline writes raw files of these endpoints under a nested directory (`plays_game` → `plays/game`);
 * every other endpoint's raw directory is its name.
 */
const RAW_DIRS: Record<string, string> = {
  plays_game: 'plays/game',
  plays_date: 'plays/date',
  plays_player: 'plays/player',
  plays_team: 'plays/team',
  plays_tournament: 'plays/tournament',
  lineups_game: 'lineups/game',
  substitutions_game: 'substitutions/game',
  substitutions_player: 'substitutions/player',
  substitutions_team: 'substitutions/team',
};

/** The raw directory of an endpoint. */
export function rawDir(endpoint: string): string {
  return RAW_DIRS[endpoint] ?? endpoint;
}

type Params = { [key: string]: JsonValue };

/** `raw/{endpoint dir}/ingested_at=YYYY-MM-DD/part-{hash8}.json.gz` */
export function rawKey(layout: LakeLayout, endpoint: string, ingestedAt: string, params: Params): string {
  return `${layout.raw}/${rawDir(endpoint)}/ingested_at=${ingestedAt}/part-${paramsHash8(params)}.json.gz`;
}

/** `bronze/{endpoint}/season=S/date=D/part-{hash8}.parquet`, the layout of per-game endpoints. */
export function bronzeKey(
  layout: LakeLayout,
  endpoint: string,
  season: number,
  date: string,
  params: Params,
): string {
  return `${layout.bronze}/${endpoint}/season=${season}/date=${date}/part-${paramsHash8(params)}.parquet`;
}

/** `silver/{table}/season=S/date=D/part-{hash8}.parquet` */
export function silverKey(
  layout: LakeLayout,
  table: string,
  season: number,
  date: string,
  params: Params,
): string {
  return `${layout.silver}/${table}/season=${season}/date=${date}/part-${paramsHash8(params)}.parquet`;
}

/** `deadletter/{endpoint}/ingested_at=YYYY-MM-DD/part-{hash8}.json`: plain JSON `{reason, params, endpoint}`. */
export function deadletterKey(
  layout: LakeLayout,
  endpoint: string,
  ingestedAt: string,
  params: Params,
): string {
  return `${layout.deadletter}/${endpoint}/ingested_at=${ingestedAt}/part-${paramsHash8(params)}.json`;
}

/** A UTC date as the pipeline writes it in `ingested_at=` and `date=`. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}
