/** The `--help` texts. Kept next to the parser so a flag is never added without its line here. */

export const MAIN_HELP = `cbbd-gap-bot — audits a CollegeBasketballData lake for gaps, reports them, and fills them.

Usage: cbbd-gap-bot <command> [flags]

Commands:
  audit    audit the lake and write reports/data_audit.{md,json} and coverage.svg
  plan     the shards of a fill: games, calls, time at the budget, quota, the GitHub matrix
  fill     fetch exactly the missing games of an endpoint into raw, bronze and silver, never twice
  demo     generate a synthetic lake with gaps and audit it (no AWS, no network)
  repair   register partitions the catalog lacks; --normalize rewrites season=/asof= into season=/date=

Every command takes --config FILE (default ./config.yaml, else the embedded default) and --lake URI
(s3://bucket[/prefix], file:///abs/dir or a directory; default s3://<bucket> from the config).
Run \`cbbd-gap-bot <command> --help\` for its flags.

Exit codes: 0 done; 1 gaps found with --fail-on-gaps, a fill with failed games, or a repair step failed;
2 usage or config error (or the API refused the key); 3 the API's monthly quota is exhausted.
`;

export const AUDIT_HELP = `Usage: cbbd-gap-bot audit [flags]

Audits every table under silver/ for the seasons asked: counts, coverage of fct_plays, fct_substitutions and
fct_lineups against fct_games with the exact missing game ids, duplicates, volume anomalies, null shares,
partition layout and unreadable files, and (scan engine, from the Parquet footers) schema_drift: column types
that differ between a table's files or that the catalog's declared type cannot read. Tables, keys and parents
are built in; audit.tables in the config adds to them. Writes data_audit.md, data_audit.json and coverage.svg to
--out and compares with the data_audit.json already there.

Flags:
  --config FILE      config.yaml (default ./config.yaml, else the embedded default)
  --lake URI         s3://bucket[/prefix], file:///abs/dir or a directory (default s3://<bucket>)
  --engine NAME      scan (default: reads Parquet footers and key columns directly, on disk or S3),
                     duckdb (SQL with embedded DuckDB; a directory lake only) or athena (SQL through Athena
                     over the Glue catalog of an s3:// lake; sees registered partitions only)
  --seasons SPEC     2024, 2020-2026 or 2010,2012,2020-2022 (default seasons.start-seasons.end)
  --out DIR          where the report goes (default reports)
  --json             print data_audit.json on stdout (progress stays on stderr)
  --fail-on-gaps     exit 1 when any gap is found

Examples:
  cbbd-gap-bot audit --lake ./my-lake-copy --seasons 2024-2026
  cbbd-gap-bot audit --lake s3://hoops-edge --json > audit.json
`;

export const DEMO_HELP = `Usage: cbbd-gap-bot demo [flags]

Writes a deterministic synthetic lake in the pipeline's layout (fct_games, one fct_plays file per game,
substitutions and lineups from 2024, dimensions under asof=) with gaps injected the way real lakes have them,
then audits it with the scan engine. No AWS and no network.

Flags:
  --config FILE      config.yaml (default ./config.yaml, else the embedded default)
  --dir DIR          where the lake goes (default demo-lake); the report lands in DIR/reports
  --games N          games per season (default 40)
  --json             print data_audit.json on stdout
`;

export const REPAIR_HELP = `Usage: cbbd-gap-bot repair [flags]

Compares the silver tables' partitions in storage with the catalog (Glue for s3://, <lake>/_catalog/ for a
directory) by partition values. Without --apply it prints the plan and changes nothing.

Flags:
  --config FILE        config.yaml (default ./config.yaml, else the embedded default)
  --lake URI           s3://bucket[/prefix], file:///abs/dir or a directory (default s3://<bucket>)
  --apply              register every partition storage has and the catalog lacks (batches of at most 100)
  --normalize          with --apply: copy rows under season=S/asof=D into season=S/date=<game date>, only rows
                       whose key is not already there; the originals stay
  --confirm-delete     with --apply: also remove normalized originals (only after every key is read back from
                       the copies) and catalog partitions that have no data. Nothing is deleted without it.
  --json               print the report as JSON on stdout

Examples:
  cbbd-gap-bot repair --lake ./lake                       # the plan
  cbbd-gap-bot repair --lake ./lake --apply               # register missing partitions
  cbbd-gap-bot repair --lake ./lake --normalize --apply --confirm-delete
`;

export const FILL_HELP = `Usage: cbbd-gap-bot fill --endpoint NAME --seasons SPEC [flags]

Fetches exactly the games of fct_games that the endpoint's table lacks (the audit's coverage, less games known
to have no data and games already checkpointed done or empty), and writes each into raw, bronze and silver at
the pipeline's keys, create-only, before checkpointing it done. A lease per game and a lock per shard in the
checkpoint table make sure no game is fetched twice, even by overlapping runs. The API key comes from
CBBD_API_KEY (or BEARER_TOKEN).

What it writes is what cbbd_etl writes (docs/interop.md): raw lines as Python's json.dumps, Parquet columns typed
as the catalog declares them, else by the pipeline's rules (a fraction makes a column DOUBLE, never truncated),
nested values as Python repr (bronze, subIn/subOut) or json.dumps text (silver JSON columns); lineups get gameId,
season and date before raw. A value the declared type cannot hold fails its game as schema_conflict, nothing
written.

Flags:
  --endpoint NAME          plays_game, substitutions_game or lineups_game
  --seasons SPEC           2024, 2020-2026 or 2010,2012,2020-2022
  --shard I/N              this run's shard of the games (by a stable hash of the game id; default 1/1)
  --checkpoints URI        dynamodb://table or file:///dir (default: the config's table for s3://, <lake>/_checkpoints for a directory)
  --missing-ids-file F     fetch these ids (a line: gameId or gameId,YYYY-MM-DD; # comments) instead of discovering
  --limit N                at most N games
  --dry-run                print what would be fetched; no API call, no write
  --rate R                 requests started per second, this process's share (default api.rate_limit_per_sec)
  --concurrency C          requests in flight, this process's share (default api.max_concurrency)
  --lease-seconds S        a game's lease; a run that dies loses it after S seconds (default 60)
  --engine NAME            scan (default) or athena, to discover the missing games
  --config FILE, --lake URI, --json

Exit codes: 0 done (or the shard is held by another run); 1 some games failed; 2 usage/config/API key;
3 the monthly quota is spent (the message says when to retry and how many games are left).

Examples:
  cbbd-gap-bot fill --endpoint plays_game --seasons 2024 --dry-run
  CBBD_API_KEY=... cbbd-gap-bot fill --endpoint plays_game --seasons 2024 --shard 2/3 --rate 1 --concurrency 1
`;

export const PLAN_HELP = `Usage: cbbd-gap-bot plan --endpoint NAME|all [flags]

Plans a fill without calling the API: per endpoint and season, the missing games split into shards by a stable
hash of the game id, each leg's share of the rate and concurrency so that --max-parallel legs at once stay within
the config's api.rate_limit_per_sec and api.max_concurrency, the time at that budget, the quota check, and
{"include": [...]} for a GitHub matrix (never more than 256 legs).

Flags:
  --endpoint NAME|all      one per-game endpoint, or every endpoint a table is filled by
  --seasons SPEC           default: the config's range
  --shards N               shards a season (default 1)
  --max-parallel N         legs running at once (default api.max_concurrency)
  --checkpoints URI        as for fill; games already done or empty are left out
  --quota-remaining N      the monthly calls left, for the quota check (the fill learns it from each answer)
  --config FILE, --lake URI, --json
`;
