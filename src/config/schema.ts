/**
 * The schema of `config.yaml`: the `cbbd_etl` pipeline's own keys (so its file works unchanged) plus the bot's
 * sections `audit`, `catalog`, `checkpoints` and `github`. Defaults are the pipeline's and the design's.
 */

import { z } from 'zod';

const positiveInt = z.number().int().positive();
const season = z.number().int().min(1900).max(2100);

const retrySchema = z.object({
  max_attempts: positiveInt.default(5),
  base_delay_seconds: z.number().positive().default(0.5),
  max_delay_seconds: z.number().positive().default(8),
});

const apiSchema = z.object({
  base_url: z.url().default('https://api.collegebasketballdata.com'),
  timeout_seconds: z.number().positive().default(60),
  max_concurrency: positiveInt.default(3),
  rate_limit_per_sec: z.number().positive().default(3),
  retry: retrySchema.prefault({}),
  /** Calls of the monthly quota a fill never spends, so the pipeline's own runs still have some. */
  quota_reserve: z.number().int().min(0).default(50),
  // The pipeline's own keys, accepted and unused by the bot.
  log_every_requests: z.number().int().optional(),
  games_chunk_days: z.number().int().optional(),
  lines_chunk_days: z.number().int().optional(),
  rolling_window_days: z.number().int().optional(),
});

const endpointSchema = z.object({
  path: z.string().startsWith('/'),
  type: z.enum(['snapshot', 'season', 'date', 'game_fanout', 'player_fanout']),
  season_param: z.string().optional(),
  start_date_param: z.string().optional(),
  end_date_param: z.string().optional(),
  date_param: z.string().optional(),
  required_params: z.array(z.string()).optional(),
  required_any: z.array(z.array(z.string())).optional(),
});

export const tableSchema = z.object({
  /** The columns that identify a row; duplicates are counted on them. Dotted names reach into JSON columns. */
  key: z.array(z.string()).min(1),
  /** The table whose ids this one must cover (`fct_games`), and the column both share. */
  parent: z.string().optional(),
  parent_key: z.string().default('gameId'),
  /** The per-game API endpoint that fills this table's gaps. */
  endpoint: z.string().optional(),
  /** The first season the API has data for this table; earlier seasons are not gaps. */
  first_season: season.optional(),
});

const auditSchema = z.object({
  /** Laid over the built-in tables (`pipeline-tables.ts`) before parsing: a config extends or overrides them. */
  tables: z.record(z.string(), tableSchema).default({}),
  thresholds: z
    .object({
      /** A table is FAIL when duplicates exceed this share of its rows (the pipeline's rule: 5%). */
      duplicate_fail_pct: z.number().min(0).max(100).default(5),
      /** A season is a volume anomaly below this fraction of its neighbours' mean (the pipeline's rule: 0.5). */
      volume_anomaly_ratio: z.number().gt(0).lt(1).default(0.5),
      /** How many columns the report lists in its null percentages. */
      null_columns_shown: z.number().int().min(0).default(10),
    })
    .prefault({}),
  /** The partition shape the lake should have under `season=` for fact tables, and `repair --normalize` writes. */
  canonical_layout: z.enum(['season/date', 'season']).default('season/date'),
  /** Bounded parallel reads of the scan engine. */
  read_concurrency: positiveInt.default(32),
  /** An incremental audit turns full when the last full one is this many days old (the manifest's `fullAt`). */
  full_every_days: z.number().gt(0).default(7),
});

const s3LayoutSchema = z.object({
  raw_prefix: z.string().default('raw'),
  bronze_prefix: z.string().default('bronze'),
  silver_prefix: z.string().default('silver'),
  gold_prefix: z.string().default('gold'),
  ref_prefix: z.string().default('ref'),
  meta_prefix: z.string().default('meta'),
  deadletter_prefix: z.string().default('deadletter'),
  tmp_prefix: z.string().default('tmp'),
  athena_prefix: z.string().default('athena'),
});

export const configSchema = z.object({
  bucket: z.string().min(3),
  region: z.string().default('us-east-1'),
  api: apiSchema.prefault({}),
  seasons: z
    .object({
      start: season,
      end: season,
      window_start_month: z.number().int().optional(),
      window_start_day: z.number().int().optional(),
      window_end_month: z.number().int().optional(),
      window_end_day: z.number().int().optional(),
    })
    .refine((s) => s.start <= s.end, { message: 'seasons.start must not be after seasons.end' }),
  endpoints: z.record(z.string(), endpointSchema).default({}),
  s3_layout: s3LayoutSchema.prefault({}),
  gap_fill: z
    .object({
      athena_database: z.string().default('cbbd_silver'),
      athena_workgroup: z.string().default('cbbd'),
      athena_output: z.string().startsWith('s3://').optional(),
      max_concurrency: z.number().int().optional(),
      resume_dir: z.string().optional(),
    })
    .prefault({}),
  // The pipeline's own sections, accepted as they are.
  validate: z.record(z.string(), z.unknown()).optional(),
  gold: z.record(z.string(), z.unknown()).optional(),
  skip_endpoints: z.array(z.string()).optional(),

  audit: auditSchema.prefault({}),
  catalog: z
    .object({
      bronze_database: z.string().default('cbbd_bronze'),
      /** Defaults to `gap_fill.athena_database`, the database the pipeline's own Athena queries use. */
      silver_database: z.string().optional(),
    })
    .prefault({}),
  aws: z
    .object({
      /** A request to S3, DynamoDB, Glue or Athena that has not answered by then is abandoned (and retried). */
      request_timeout_seconds: z.number().positive().default(60),
      connect_timeout_seconds: z.number().positive().default(5),
    })
    .prefault({}),
  checkpoints: z
    .object({
      table: z.string().default('cbbd_checkpoints'),
      lease_seconds: positiveInt.default(60),
    })
    .prefault({}),
  github: z
    .object({
      gap_label: z.string().default('data-gap'),
      fill_label: z.string().default('fill'),
      report_path: z.string().default('reports'),
      report_branch: z.string().default('cbbd-gap-bot/audit'),
      max_issues_per_run: z.number().int().min(0).default(20),
    })
    .prefault({}),
});

/** The typed, defaulted config every command receives. */
export type Config = z.output<typeof configSchema>;
export type TableConfig = z.output<typeof tableSchema>;
export type EndpointConfig = z.output<typeof endpointSchema>;
