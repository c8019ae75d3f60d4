/**
 * Every command's options, declared once. The CLI's parser and `--help` (src/cli/), the action's input reader
 * (src/action/inputs.ts) and the test holding action.yml to these lists all come from here: adding a flag is one
 * declaration below plus its use in the command.
 */

import { parseSeasonSpec } from '../config/seasons.js';
import {
  booleanValue,
  fillableEndpoint,
  fillableEndpoints,
  nonNegativeInt,
  positiveInt,
  positiveNumber,
} from '../config/values.js';
import { CALL_SHAPES, type CallShape } from '../fill/call-plan.js';
import { MAX_MATRIX_LEGS } from '../fill/plan.js';
import { parseShard } from '../fill/shards.js';
import { parseLakeUri } from '../lake/lake-uri.js';
import { UsageError } from '../util/errors.js';
import { option, type CommandSpec, type Offered, type OptionContext } from './option-spec.js';
import type { EngineName } from './ports.js';

const configFile = option({
  name: 'config',
  on: 'both',
  arg: 'FILE',
  help: 'config.yaml (default ./config.yaml, else the embedded default)',
  actionDefault: 'config.yaml',
  parse: (raw) => raw,
});

const lake = option({
  name: 'lake',
  on: 'both',
  arg: 'URI',
  help: 's3://bucket[/prefix], file:///abs/dir or a directory (default s3://<bucket>)',
  parse: (raw, { config, label }) => parseLakeUri(raw ?? `s3://${config.bucket}`, label),
});

const json = (help: string) => option({ name: 'json', on: 'cli', help, parse: switchValue });

function switchValue(raw: string | undefined, { label }: OptionContext): boolean {
  return booleanValue(raw ?? '', label);
}

/** A switch offered on `on`, `false` unless given. */
const onOff = <On extends Offered>(name: string, on: On, help: string) =>
  option({ name, on, help, parse: switchValue, ...(on === 'cli' ? {} : { actionDefault: 'false' }) });

/** `--seasons` defaulting to the config's whole range. */
const seasonsOrRange = <On extends Offered>(on: On, help: string) =>
  option({
    name: 'seasons',
    on,
    arg: 'SPEC',
    help,
    parse: (raw, { config, label }) =>
      parseSeasonSpec(raw ?? `${config.seasons.start}-${config.seasons.end}`, config.seasons, label),
  });

/** `--seasons` that must be given. */
const requiredSeasons = <On extends Offered>(on: On, help: string) =>
  option({
    name: 'seasons',
    on,
    arg: 'SPEC',
    help,
    parse: (raw, { config, label }) => {
      if (raw === undefined) throw new UsageError(`${label}: required (e.g. 2024 or 2020-2026)`);
      return parseSeasonSpec(raw, config.seasons, label);
    },
  });

/** `--endpoint` that must be given: a per-game endpoint a table is filled by. */
const requiredEndpoint = <On extends Offered>(on: On) =>
  option({
    name: 'endpoint',
    on,
    arg: 'NAME',
    help: 'plays_game, substitutions_game or lineups_game',
    parse: (raw, { config, label }) => {
      if (raw === undefined) throw new UsageError(`${label}: required (e.g. plays_game)`);
      return fillableEndpoint(raw, config, label);
    },
  });

const checkpoints = (help: string) =>
  option({ name: 'checkpoints', on: 'both', arg: 'URI', help, parse: (raw) => raw });

const githubToken = option({
  name: 'github-token',
  on: 'action',
  help: 'a token for issues, labels, comments and the report pull request',
  actionDefault: '${{ github.token }}',
  parse: (raw) => raw,
});

const botLogin = option({
  name: 'bot-login',
  on: 'action',
  help: 'the login the token acts as; the bot only ever touches issues this login opened',
  actionDefault: 'github-actions[bot]',
  parse: (raw) => raw ?? 'github-actions[bot]',
});

/** The action's `endpoint` of check and plan: a dispatch's (check) or the one check allowed (plan). */
const checkedEndpoint = (help: string) =>
  option({
    name: 'endpoint',
    on: 'action',
    help,
    parse: (raw, { config, label }) => (raw === undefined ? undefined : fillableEndpoint(raw, config, label)),
  });

/** The action's `seasons` of check and plan, like `checkedEndpoint`. */
const checkedSeasons = (help: string) =>
  option({
    name: 'seasons',
    on: 'action',
    help,
    parse: (raw, { config, label }) =>
      raw === undefined ? undefined : parseSeasonSpec(raw, config.seasons, label),
  });

const AUDIT_ENGINES: readonly EngineName[] = ['scan', 'duckdb', 'athena'];

export const AUDIT = {
  name: 'audit',
  summary: 'audit the lake and write reports/data_audit.{md,json} and coverage.svg',
  usage: '[flags]',
  about: `Audits every table under silver/ for the seasons asked: counts, coverage of fct_plays, fct_substitutions and
fct_lineups against fct_games with the exact missing game ids, duplicates, volume anomalies, null shares,
partition layout and unreadable files, and (scan engine, from the Parquet footers) schema_drift: column types
that differ between a table's files or that the catalog's declared type cannot read. Tables, keys and parents
are built in; audit.tables in the config adds to them. Writes data_audit.md, data_audit.json and coverage.svg to
--out and compares with the data_audit.json already there.`,
  epilogue: `Examples:
  cbbd-gap-bot audit --lake ./my-lake-copy --seasons 2024-2026
  cbbd-gap-bot audit --lake s3://hoops-edge --json > audit.json`,
  options: {
    configFile,
    lake,
    engine: option({
      name: 'engine',
      on: 'both',
      arg: 'NAME',
      help: `scan (default: reads Parquet footers and key columns directly, on disk or S3),
duckdb (SQL with embedded DuckDB; a directory lake only) or athena (SQL through Athena
over the Glue catalog of an s3:// lake; sees registered partitions only)`,
      actionDefault: 'scan',
      parse: (raw, { label, surface }): EngineName => {
        const engine = raw ?? 'scan';
        // DuckDB's native module is loaded from node_modules, which the action's bundle does not carry.
        const allowed = surface === 'cli' ? AUDIT_ENGINES : AUDIT_ENGINES.filter((e) => e !== 'duckdb');
        if (!(allowed as readonly string[]).includes(engine))
          throw new UsageError(`${label}: "${engine}" is not one of ${allowed.join(', ')}`);
        return engine as EngineName;
      },
    }),
    seasons: seasonsOrRange(
      'both',
      '2024, 2020-2026 or 2010,2012,2020-2022 (default seasons.start-seasons.end)',
    ),
    out: option({
      name: 'out',
      on: 'cli',
      arg: 'DIR',
      help: 'where the report goes (default reports)',
      parse: (raw) => raw ?? 'reports',
    }),
    json: json('print data_audit.json on stdout (progress stays on stderr)'),
    failOnGaps: onOff('fail-on-gaps', 'cli', 'exit 1 when any gap is found'),
    full: onOff(
      'full',
      'both',
      'read every file, not only those the audit manifest lacks, and write a new manifest',
    ),
    reportMode: option({
      name: 'report-mode',
      on: 'action',
      help: 'pr (one pull request from cbbd-gap-bot/audit), commit (to the default branch) or none',
      actionDefault: 'pr',
      parse: (raw, { label }) => {
        const mode = raw ?? 'pr';
        if (mode !== 'pr' && mode !== 'commit' && mode !== 'none')
          throw new UsageError(`${label}: "${mode}" is not one of pr, commit, none`);
        return mode;
      },
    }),
    maxIssues: option({
      name: 'max-issues-per-run',
      on: 'action',
      help: 'new gap issues opened at most per run (default github.max_issues_per_run)',
      parse: (raw, { config, label }) =>
        raw === undefined ? config.github.max_issues_per_run : nonNegativeInt(raw, label),
    }),
    githubToken,
    botLogin,
  },
} satisfies CommandSpec;

export const CHECK = {
  name: 'check',
  summary: 'may a fill label or a dispatch start a fill (GitHub only, no AWS)',
  usage: '[inputs]',
  about: `Before any job with AWS access: for a fill label, re-reads the issue and the labeller's role through the API and
allows the fill only for write access or more on a gap issue the bot opened; for a dispatch, checks the endpoint
and seasons. A refused label gets one comment and is removed.`,
  options: {
    configFile,
    lake,
    checkedEndpoint: checkedEndpoint('a dispatched fill: its per-game endpoint (a label fills the issue’s)'),
    checkedSeasons: checkedSeasons('a dispatched fill: its seasons (a label fills the issue’s)'),
    githubToken,
    botLogin,
  },
} satisfies CommandSpec;

/**
 * `--call-shape`: how a fill spends the monthly quota. `plan` and `fill` must agree (shards split the calls), so
 * both take the one declaration.
 */
const callShape = option({
  name: 'call-shape',
  on: 'both',
  arg: 'game|auto',
  help: `auto (default): the fewest calls, per team season or date where one call brings many missing games
(docs/architecture.md, call shapes); game: one call per game`,
  actionDefault: 'auto',
  parse: (raw, { label }): CallShape => {
    const shape = raw ?? 'auto';
    if (!(CALL_SHAPES as readonly string[]).includes(shape))
      throw new UsageError(`${label}: "${shape}" is not one of ${CALL_SHAPES.join(', ')}`);
    return shape as CallShape;
  },
});

export const PLAN = {
  name: 'plan',
  summary: 'the shards of a fill: games, calls, time at the budget, quota, the GitHub matrix',
  usage: '--endpoint NAME|all [flags]',
  about: `Plans a fill without calling the API: per endpoint and season, the missing games split into shards by a stable
hash of the game id, each leg's share of the rate and concurrency so that --max-parallel legs at once stay within
the config's api.rate_limit_per_sec and api.max_concurrency, the time at that budget, the quota check (the calls
left as the API key's quota ledger in the checkpoints last saw them, less what running fills hold and
api.quota_reserve), and {"include": [...]} for a GitHub matrix (never more than ${MAX_MATRIX_LEGS} legs).`,
  options: {
    configFile,
    lake,
    endpoints: option({
      name: 'endpoint',
      on: 'cli',
      arg: 'NAME|all',
      help: 'one per-game endpoint, or every endpoint a table is filled by',
      parse: (raw, { config, label }) => {
        if (raw === undefined) throw new UsageError(`${label}: required (an endpoint name, or all)`);
        return raw === 'all' ? fillableEndpoints(config) : [fillableEndpoint(raw, config, label)];
      },
    }),
    seasons: seasonsOrRange('cli', "default: the config's range"),
    checkedEndpoint: checkedEndpoint('the endpoint check allowed'),
    checkedSeasons: checkedSeasons('the seasons check allowed'),
    shards: option({
      name: 'shards',
      on: 'both',
      arg: 'N',
      help: 'shards a season (default 1)',
      actionDefault: '1',
      parse: (raw, { label }) => positiveInt(raw ?? '1', label, MAX_MATRIX_LEGS),
    }),
    maxParallel: option({
      name: 'max-parallel',
      on: 'both',
      arg: 'N',
      help: 'legs running at once (default api.max_concurrency)',
      parse: (raw, { config, label }) =>
        positiveInt(raw ?? String(config.api.max_concurrency), label, MAX_MATRIX_LEGS),
    }),
    checkpoints: checkpoints('as for fill; games already done or empty are left out'),
    callShape,
    quotaRemaining: option({
      name: 'quota-remaining',
      on: 'cli',
      arg: 'N',
      help: 'the monthly calls left, for the quota check (default: as the quota ledger last saw them this month; the lower of the two if both)',
      parse: (raw, { label }) => (raw === undefined ? undefined : nonNegativeInt(raw, label)),
    }),
    json: json('print the plans and the combined matrix as JSON on stdout'),
  },
} satisfies CommandSpec;

export const FILL = {
  name: 'fill',
  summary: 'fetch exactly the missing games of an endpoint into raw, bronze and silver, never twice',
  usage: '--endpoint NAME --seasons SPEC [flags]',
  about: `Fetches exactly the games of fct_games that the endpoint's table lacks (the audit's coverage, less games known
to have no data and games already checkpointed done or empty), and writes each into raw, bronze and silver at
the pipeline's keys, create-only, before checkpointing it done. A lease per game and a lock per shard in the
checkpoint table make sure no game is fetched twice, even by overlapping runs. The API key comes from
CBBD_API_KEY (or BEARER_TOKEN).

What it writes is what cbbd_etl writes (docs/interop.md): raw lines as Python's json.dumps, Parquet columns typed
as the catalog declares them, else by the pipeline's rules (a fraction makes a column DOUBLE, never truncated),
nested values as Python repr (bronze, subIn/subOut) or json.dumps text (silver JSON columns); lineups get gameId,
season and date before raw. A value the declared type cannot hold fails its game as schema_conflict, nothing
written.`,
  epilogue: `Exit codes: 0 done (or the shard is held by another run); 1 some games failed; 2 usage/config/API key
or a lake with no silver/fct_games; 3 the monthly quota is spent, or what is left of it less what other running
fills of the key reserved would cut into api.quota_reserve (the message says so, when to retry and how many games
are left); 4 the lake, catalog or checkpoints could not be reached or read.

Examples:
  cbbd-gap-bot fill --endpoint plays_game --seasons 2024 --dry-run
  CBBD_API_KEY=... cbbd-gap-bot fill --endpoint plays_game --seasons 2024 --shard 2/3 --rate 1 --concurrency 1`,
  options: {
    configFile,
    lake,
    endpoint: requiredEndpoint('both'),
    seasons: requiredSeasons('both', '2024, 2020-2026 or 2010,2012,2020-2022'),
    shard: option({
      name: 'shard',
      on: 'both',
      arg: 'I/N',
      help: "this run's shard of the games (by a stable hash of the game id; default 1/1)",
      actionDefault: '1/1',
      parse: (raw, { label }) => parseShard(raw ?? '1/1', label),
    }),
    checkpoints: checkpoints(`dynamodb://table or file:///dir (default: the config's table for s3://,
<lake>/_checkpoints for a directory)`),
    missingIdsFile: option({
      name: 'missing-ids-file',
      on: 'cli',
      arg: 'F',
      help: 'fetch these ids (a line: gameId or gameId,YYYY-MM-DD; # comments) instead of discovering',
      parse: (raw) => raw,
    }),
    limit: option({
      name: 'limit',
      on: 'cli',
      arg: 'N',
      help: 'at most N games',
      parse: (raw, { label }) => (raw === undefined ? undefined : positiveInt(raw, label, 10_000_000)),
    }),
    dryRun: onOff('dry-run', 'both', 'print what would be fetched; no API call, no write'),
    rate: option({
      name: 'rate',
      on: 'both',
      arg: 'R',
      help: 'at most R requests started per second by this run; every run of the key shares api.rate_limit_per_sec through the checkpoint store (default: no cap below that share)',
      parse: (raw, { config, label }) =>
        positiveNumber(raw ?? String(config.api.rate_limit_per_sec), label, config.api.rate_limit_per_sec),
    }),
    concurrency: option({
      name: 'concurrency',
      on: 'both',
      arg: 'C',
      help: 'at most C requests in flight for this run; every run of the key shares api.max_concurrency through the checkpoint store (default: no cap below that share)',
      parse: (raw, { config, label }) =>
        positiveInt(raw ?? String(config.api.max_concurrency), label, config.api.max_concurrency),
    }),
    leaseSeconds: option({
      name: 'lease-seconds',
      on: 'cli',
      arg: 'S',
      help: `a game's lease; a run that dies loses it after S seconds
(default checkpoints.lease_seconds, 60)`,
      parse: (raw, { config, label }) =>
        positiveInt(raw ?? String(config.checkpoints.lease_seconds), label, 3600),
    }),
    engine: option({
      name: 'engine',
      on: 'cli',
      arg: 'NAME',
      help: 'scan (default) or athena, to discover the missing games',
      parse: (raw, { label }) => {
        const engine = raw ?? 'scan';
        if (engine !== 'scan' && engine !== 'athena')
          throw new UsageError(`${label}: "${engine}" is not one of scan, athena`);
        return engine;
      },
    }),
    callShape,
    json: json('print the outcome as JSON on stdout'),
    resultPath: option({
      name: 'result-path',
      on: 'action',
      help: 'where this leg writes its result JSON (for finalize)',
      actionDefault: 'fill-result.json',
      parse: (raw) => raw ?? 'fill-result.json',
    }),
  },
} satisfies CommandSpec;

export const FINALIZE = {
  name: 'finalize',
  summary: "sum the fill legs' results, re-audit, comment on the issue and close it when the gap is gone",
  usage: '[inputs]',
  about: `After the fill matrix: sums every leg's result JSON, re-audits the seasons filled and, for a fill started from
an issue, comments the result, removes the fill label and closes the issue when its gap is gone.`,
  options: {
    configFile,
    lake,
    endpoint: requiredEndpoint('action'),
    seasons: requiredSeasons('action', 'the seasons the fill covered'),
    issueNumber: option({
      name: 'issue-number',
      on: 'action',
      help: 'the gap issue the fill was started from, if any',
      parse: (raw, { label }) => (raw === undefined ? undefined : positiveInt(raw, label, 1e9)),
    }),
    resultsDir: option({
      name: 'results-dir',
      on: 'action',
      help: "the folder holding every leg's result JSON",
      actionDefault: 'fill-results',
      parse: (raw) => raw ?? 'fill-results',
    }),
    cancelled: onOff(
      'cancelled',
      'action',
      'the run was cancelled; comment so on the issue, keep the fill label, no re-audit',
    ),
    githubToken,
    botLogin,
  },
} satisfies CommandSpec;

export const REPAIR = {
  name: 'repair',
  summary: 'register partitions the catalog lacks; --normalize rewrites season=/asof= into season=/date=',
  usage: '[flags]',
  about: `Compares the silver tables' partitions in storage with the catalog (Glue for s3://, <lake>/_catalog/ for a
directory) by partition values. Without --apply it prints the plan and changes nothing.`,
  epilogue: `Examples:
  cbbd-gap-bot repair --lake ./lake                       # the plan
  cbbd-gap-bot repair --lake ./lake --apply               # register missing partitions
  cbbd-gap-bot repair --lake ./lake --normalize --apply --confirm-delete`,
  options: {
    configFile,
    lake,
    apply: onOff(
      'apply',
      'both',
      'register every partition storage has and the catalog lacks (batches of at most 100)',
    ),
    normalize: onOff(
      'normalize',
      'both',
      `with --apply: copy rows under season=S/asof=D into season=S/date=<game date>, only rows
whose key is not already there; the originals stay`,
    ),
    confirmDelete: {
      ...onOff(
        'confirm-delete',
        'both',
        `with --apply: also remove normalized originals (only after every key is read back from
the copies) and catalog partitions that have no data. Nothing is deleted without it.`,
      ),
      requires: { option: 'apply', why: 'without it repair changes nothing' },
    },
    json: json('print the report as JSON on stdout'),
  },
} satisfies CommandSpec;

export const DEMO = {
  name: 'demo',
  summary: 'generate a synthetic lake with gaps and audit it (no AWS, no network)',
  usage: '[flags]',
  about: `Writes a deterministic synthetic lake in the pipeline's layout (fct_games, one fct_plays file per game,
substitutions and lineups from 2024, dimensions under asof=) with gaps injected the way real lakes have them,
then audits it with the scan engine. No AWS and no network.`,
  options: {
    configFile,
    lake: option({
      name: 'lake',
      on: 'cli',
      arg: 'URI',
      help: 'not taken: demo writes its own lake (see --dir)',
      parse: (raw, { label }) => {
        if (raw !== undefined) throw new UsageError(`${label}: demo writes its own lake; use --dir`);
        return undefined;
      },
    }),
    dir: option({
      name: 'dir',
      on: 'cli',
      arg: 'DIR',
      help: 'where the lake goes (default demo-lake); the report lands in DIR/reports',
      parse: (raw) => raw ?? 'demo-lake',
    }),
    gamesPerSeason: option({
      name: 'games',
      on: 'cli',
      arg: 'N',
      help: 'games per season (default 40)',
      parse: (raw, { label }) => positiveInt(raw ?? '40', label, 10_000),
    }),
    json: json('print data_audit.json on stdout'),
  },
} satisfies CommandSpec;

/** The CLI's commands, in the order `--help` lists them. */
export const CLI_COMMANDS = { audit: AUDIT, plan: PLAN, fill: FILL, demo: DEMO, repair: REPAIR };

/** The action's commands (its `command` input), in action.yml's order. */
export const ACTION_COMMANDS = {
  audit: AUDIT,
  check: CHECK,
  plan: PLAN,
  fill: FILL,
  finalize: FINALIZE,
  repair: REPAIR,
};

/** The action's `command` input, which picks one of ACTION_COMMANDS. */
export const COMMAND_INPUT = {
  name: 'command',
  actionDefault: 'audit',
} as const;
