import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfigOrDefault, type LoadedConfig } from '../config/load.js';
import { parseSeasonSpec } from '../config/seasons.js';
import { parseLakeUri, type LakeLocation } from '../lake/lake-uri.js';
import type { EngineName } from '../commands/ports.js';
import { UsageError } from '../util/errors.js';
import { AUDIT_HELP, DEMO_HELP, FILL_HELP, MAIN_HELP, PLAN_HELP, REPAIR_HELP } from './help.js';
import type { FillCommand } from '../commands/fill.js';
import type { PlanCommand } from '../commands/plan.js';
import { parseShard } from '../fill/shards.js';
import {
  fillableEndpoint,
  fillableEndpoints,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
} from '../config/values.js';
import { MAX_MATRIX_LEGS } from '../fill/plan.js';

/** What the command line asked for, validated. */
export type CliRequest =
  | { kind: 'help'; text: string }
  | { kind: 'version' }
  | {
      kind: 'audit';
      loaded: LoadedConfig;
      lake: LakeLocation;
      engine: EngineName;
      seasons: number[];
      out: string;
      json: boolean;
      failOnGaps: boolean;
    }
  | { kind: 'demo'; loaded: LoadedConfig; dir: string; gamesPerSeason: number; json: boolean }
  | {
      kind: 'repair';
      loaded: LoadedConfig;
      lake: LakeLocation;
      apply: boolean;
      normalize: boolean;
      confirmDelete: boolean;
      json: boolean;
    }
  | ({ kind: 'fill'; loaded: LoadedConfig; json: boolean } & Omit<FillCommand, 'config'>)
  | ({ kind: 'plan'; loaded: LoadedConfig; json: boolean } & Omit<PlanCommand, 'config'>);

const COMMON = {
  config: { type: 'string' },
  lake: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Parses argv (without node and script) into a request; every mistake is a `UsageError` naming the flag. */
export async function parseCommandLine(argv: readonly string[], cwd: string): Promise<CliRequest> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    return { kind: 'help', text: MAIN_HELP };
  if (command === '--version' || command === '-V') return { kind: 'version' };
  switch (command) {
    case 'audit': {
      const { values } = parse(rest, {
        ...COMMON,
        engine: { type: 'string' },
        seasons: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        'fail-on-gaps': { type: 'boolean' },
      });
      if (values.help) return { kind: 'help', text: AUDIT_HELP };
      const loaded = await loadConfigOrDefault(values.config, cwd);
      const { config } = loaded;
      return {
        kind: 'audit',
        loaded,
        lake: parseLakeUri(values.lake ?? `s3://${config.bucket}`),
        engine: parseEngine(values.engine ?? 'scan'),
        seasons: parseSeasonSpec(
          values.seasons ?? `${config.seasons.start}-${config.seasons.end}`,
          config.seasons,
        ),
        out: values.out ?? 'reports',
        json: values.json ?? false,
        failOnGaps: values['fail-on-gaps'] ?? false,
      };
    }
    case 'demo': {
      const { values } = parse(rest, {
        ...COMMON,
        dir: { type: 'string' },
        games: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return { kind: 'help', text: DEMO_HELP };
      if (values.lake !== undefined) throw new UsageError('--lake: demo writes its own lake; use --dir');
      return {
        kind: 'demo',
        loaded: await loadConfigOrDefault(values.config, cwd),
        dir: values.dir ?? 'demo-lake',
        gamesPerSeason: positiveInt(values.games ?? '40', '--games', 10_000),
        json: values.json ?? false,
      };
    }
    case 'fill': {
      const { values } = parse(rest, {
        ...COMMON,
        endpoint: { type: 'string' },
        seasons: { type: 'string' },
        shard: { type: 'string' },
        checkpoints: { type: 'string' },
        'missing-ids-file': { type: 'string' },
        limit: { type: 'string' },
        'dry-run': { type: 'boolean' },
        rate: { type: 'string' },
        concurrency: { type: 'string' },
        'lease-seconds': { type: 'string' },
        engine: { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return { kind: 'help', text: FILL_HELP };
      const loaded = await loadConfigOrDefault(values.config, cwd);
      const { config } = loaded;
      if (!values.endpoint) throw new UsageError('--endpoint: required (e.g. plays_game)');
      if (!values.seasons) throw new UsageError('--seasons: required (e.g. 2024 or 2020-2026)');
      const engine = values.engine ?? 'scan';
      if (engine !== 'scan' && engine !== 'athena')
        throw new UsageError(`--engine: "${engine}" is not one of scan, athena`);
      return {
        kind: 'fill',
        loaded,
        json: values.json ?? false,
        lake: parseLakeUri(values.lake ?? `s3://${config.bucket}`),
        endpoint: fillableEndpoint(values.endpoint, config),
        seasons: parseSeasonSpec(values.seasons, config.seasons),
        shard: parseShard(values.shard ?? '1/1'),
        checkpoints: values.checkpoints,
        missingIdsFile: values['missing-ids-file'],
        limit: values.limit === undefined ? undefined : positiveInt(values.limit, '--limit', 10_000_000),
        dryRun: values['dry-run'] ?? false,
        rate: positiveNumber(
          values.rate ?? String(config.api.rate_limit_per_sec),
          '--rate',
          config.api.rate_limit_per_sec,
        ),
        concurrency: positiveInt(
          values.concurrency ?? String(config.api.max_concurrency),
          '--concurrency',
          config.api.max_concurrency,
        ),
        leaseSeconds: positiveInt(
          values['lease-seconds'] ?? String(config.checkpoints.lease_seconds),
          '--lease-seconds',
          3600,
        ),
        engine,
      };
    }
    case 'plan': {
      const { values } = parse(rest, {
        ...COMMON,
        endpoint: { type: 'string' },
        seasons: { type: 'string' },
        shards: { type: 'string' },
        'max-parallel': { type: 'string' },
        checkpoints: { type: 'string' },
        'quota-remaining': { type: 'string' },
        json: { type: 'boolean' },
      });
      if (values.help) return { kind: 'help', text: PLAN_HELP };
      const loaded = await loadConfigOrDefault(values.config, cwd);
      const { config } = loaded;
      if (!values.endpoint) throw new UsageError('--endpoint: required (an endpoint name, or all)');
      const endpoints =
        values.endpoint === 'all' ? fillableEndpoints(config) : [fillableEndpoint(values.endpoint, config)];
      return {
        kind: 'plan',
        loaded,
        json: values.json ?? false,
        lake: parseLakeUri(values.lake ?? `s3://${config.bucket}`),
        endpoints,
        seasons: parseSeasonSpec(
          values.seasons ?? `${config.seasons.start}-${config.seasons.end}`,
          config.seasons,
        ),
        shards: positiveInt(values.shards ?? '1', '--shards', MAX_MATRIX_LEGS),
        maxParallel: positiveInt(
          values['max-parallel'] ?? String(config.api.max_concurrency),
          '--max-parallel',
          MAX_MATRIX_LEGS,
        ),
        checkpoints: values.checkpoints,
        quotaRemaining:
          values['quota-remaining'] === undefined
            ? undefined
            : nonNegativeInt(values['quota-remaining'], '--quota-remaining'),
      };
    }
    case 'repair': {
      const { values } = parse(rest, {
        ...COMMON,
        apply: { type: 'boolean' },
        normalize: { type: 'boolean' },
        'confirm-delete': { type: 'boolean' },
        json: { type: 'boolean' },
      });
      if (values.help) return { kind: 'help', text: REPAIR_HELP };
      if (values['confirm-delete'] && !values.apply)
        throw new UsageError('--confirm-delete: only with --apply (without it repair changes nothing)');
      const loaded = await loadConfigOrDefault(values.config, cwd);
      return {
        kind: 'repair',
        loaded,
        lake: parseLakeUri(values.lake ?? `s3://${loaded.config.bucket}`),
        apply: values.apply ?? false,
        normalize: values.normalize ?? false,
        confirmDelete: values['confirm-delete'] ?? false,
        json: values.json ?? false,
      };
    }
    default:
      throw new UsageError(`unknown command "${command}"; run cbbd-gap-bot --help for the list`);
  }
}

function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false });
  } catch (e) {
    // node:util names the flag in its message ("Unknown option '--sesons'"); keep that, drop its error code.
    throw new UsageError(
      e instanceof Error ? e.message.replace(/\. To specify a positional argument.*$/, '') : String(e),
    );
  }
}

const ENGINES: readonly EngineName[] = ['scan', 'duckdb', 'athena'];

function parseEngine(value: string): EngineName {
  if ((ENGINES as readonly string[]).includes(value)) return value as EngineName;
  throw new UsageError(`--engine: "${value}" is not one of ${ENGINES.join(', ')}`);
}
