import type { EngineName } from '../commands/ports.js';
import { loadConfigOrDefault, type LoadedConfig } from '../config/load.js';
import { parseSeasonSpec } from '../config/seasons.js';
import {
  booleanValue,
  fillableEndpoint,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
} from '../config/values.js';
import { MAX_MATRIX_LEGS } from '../fill/plan.js';
import { parseShard, type Shard } from '../fill/shards.js';
import { parseLakeUri, type LakeLocation } from '../lake/lake-uri.js';
import { UsageError } from '../util/errors.js';

/** Reads one input as the runner passes it (`INPUT_<NAME>`). */
export type InputReader = (name: string) => string;

/** What every command takes. */
export interface CommonSettings {
  loaded: LoadedConfig;
  lake: LakeLocation;
  checkpoints: string | undefined;
}

/** GitHub access for the commands that write to GitHub. */
export interface GitHubSettings {
  token: string;
  botLogin: string;
}

/** The action's settings: one command and its validated inputs. */
export type ActionSettings =
  | (CommonSettings & {
      command: 'audit';
      engine: EngineName;
      seasons: number[];
      reportMode: 'pr' | 'commit' | 'none';
      maxIssues: number;
      github: GitHubSettings | undefined;
    })
  | (CommonSettings & {
      command: 'check';
      endpoint: string | undefined;
      seasons: number[] | undefined;
      github: GitHubSettings | undefined;
    })
  | (CommonSettings & {
      command: 'plan';
      endpoint: string | undefined;
      seasons: number[] | undefined;
      shards: number;
      maxParallel: number;
      dryRun: boolean;
    })
  | (CommonSettings & {
      command: 'fill';
      endpoint: string;
      seasons: number[];
      shard: Shard;
      rate: number;
      concurrency: number;
      dryRun: boolean;
      resultPath: string;
    })
  | (CommonSettings & {
      command: 'finalize';
      endpoint: string;
      seasons: number[];
      issueNumber: number | undefined;
      resultsDir: string;
      cancelled: boolean;
      github: GitHubSettings | undefined;
    })
  | (CommonSettings & { command: 'repair'; apply: boolean; normalize: boolean; confirmDelete: boolean });

const COMMANDS = ['audit', 'check', 'plan', 'fill', 'finalize', 'repair'] as const;

/** Turns the action's inputs into settings, with the CLI's parsers; a bad input is a `UsageError` naming it. */
export async function readInputs(input: InputReader): Promise<ActionSettings> {
  const command = input('command') || 'audit';
  if (!(COMMANDS as readonly string[]).includes(command))
    throw new UsageError(`input command: "${command}" is not one of ${COMMANDS.join(', ')}`);
  const loaded = await loadConfigOrDefault(input('config') || undefined, '.');
  const { config } = loaded;
  const common: CommonSettings = {
    loaded,
    lake: parseLakeUri(input('lake') || `s3://${config.bucket}`, 'input lake'),
    checkpoints: input('checkpoints') || undefined,
  };
  const seasons = (fallback = true) => {
    const spec = input('seasons');
    if (!spec && !fallback) return undefined;
    return parseSeasonSpec(
      spec || `${config.seasons.start}-${config.seasons.end}`,
      config.seasons,
      'input seasons',
    );
  };
  const github = (): GitHubSettings | undefined => {
    const token = input('github-token');
    return token ? { token, botLogin: input('bot-login') || 'github-actions[bot]' } : undefined;
  };
  const endpoint = () => fillableEndpoint(input('endpoint'), config, 'input endpoint');
  switch (command as (typeof COMMANDS)[number]) {
    case 'audit': {
      const engine = input('engine') || 'scan';
      if (engine !== 'scan' && engine !== 'athena')
        throw new UsageError(`input engine: "${engine}" is not one of scan, athena`);
      const reportMode = input('report-mode') || 'pr';
      if (!['pr', 'commit', 'none'].includes(reportMode))
        throw new UsageError(`input report-mode: "${reportMode}" is not one of pr, commit, none`);
      const maxIssues = input('max-issues-per-run');
      return {
        ...common,
        command: 'audit',
        engine,
        seasons: seasons()!,
        reportMode: reportMode as 'pr' | 'commit' | 'none',
        maxIssues: maxIssues
          ? nonNegativeInt(maxIssues, 'input max-issues-per-run')
          : config.github.max_issues_per_run,
        github: github(),
      };
    }
    case 'check':
      return {
        ...common,
        command: 'check',
        endpoint: input('endpoint') ? endpoint() : undefined,
        seasons: seasons(false),
        github: github(),
      };
    case 'plan':
      return {
        ...common,
        command: 'plan',
        endpoint: input('endpoint') ? endpoint() : undefined,
        seasons: seasons(false),
        shards: positiveInt(input('shards') || '1', 'input shards', MAX_MATRIX_LEGS),
        maxParallel: positiveInt(
          input('max-parallel') || String(config.api.max_concurrency),
          'input max-parallel',
          MAX_MATRIX_LEGS,
        ),
        dryRun: booleanValue(input('dry-run'), 'input dry-run'),
      };
    case 'fill':
      return {
        ...common,
        command: 'fill',
        endpoint: endpoint(),
        seasons: seasons(false) ?? missing('seasons'),
        shard: parseShard(input('shard') || '1/1', 'input shard'),
        rate: positiveNumber(
          input('rate') || String(config.api.rate_limit_per_sec),
          'input rate',
          config.api.rate_limit_per_sec,
        ),
        concurrency: positiveInt(
          input('concurrency') || String(config.api.max_concurrency),
          'input concurrency',
          config.api.max_concurrency,
        ),
        dryRun: booleanValue(input('dry-run'), 'input dry-run'),
        resultPath: input('result-path') || 'fill-result.json',
      };
    case 'finalize': {
      const issue = input('issue-number');
      return {
        ...common,
        command: 'finalize',
        endpoint: endpoint(),
        seasons: seasons(false) ?? missing('seasons'),
        issueNumber: issue ? positiveInt(issue, 'input issue-number', 1e9) : undefined,
        resultsDir: input('results-dir') || 'fill-results',
        cancelled: booleanValue(input('cancelled'), 'input cancelled'),
        github: github(),
      };
    }
    case 'repair':
      return {
        ...common,
        command: 'repair',
        apply: booleanValue(input('apply'), 'input apply'),
        normalize: booleanValue(input('normalize'), 'input normalize'),
        confirmDelete: booleanValue(input('confirm-delete'), 'input confirm-delete'),
      };
  }
}

function missing(name: string): never {
  throw new UsageError(`input ${name}: required for this command`);
}
