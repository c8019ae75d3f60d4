/** The `--help` texts. Kept next to the parser so a flag is never added without its line here. */

export const MAIN_HELP = `cbbd-gap-bot — audits a CollegeBasketballData lake for gaps, reports them, and fills them.

Usage: cbbd-gap-bot <command> [flags]

Commands:
  audit    audit the lake and write reports/data_audit.{md,json} and coverage.svg
  demo     generate a synthetic lake with gaps and audit it (no AWS, no network)
  repair   register partitions the catalog lacks; --normalize rewrites season=/asof= into season=/date=

Every command takes --config FILE (default ./config.yaml, else the embedded default) and --lake URI
(s3://bucket[/prefix], file:///abs/dir or a directory; default s3://<bucket> from the config).
Run \`cbbd-gap-bot <command> --help\` for its flags.

Exit codes: 0 done; 1 gaps found with --fail-on-gaps, or a repair step failed; 2 usage or config error.
`;

export const AUDIT_HELP = `Usage: cbbd-gap-bot audit [flags]

Audits every table under silver/ for the seasons asked: counts, coverage of fct_plays, fct_substitutions and
fct_lineups against fct_games with the exact missing game ids, duplicates, volume anomalies, null shares,
partition layout and unreadable files. Writes data_audit.md, data_audit.json and coverage.svg to --out and
compares with the data_audit.json already there.

Flags:
  --config FILE      config.yaml (default ./config.yaml, else the embedded default)
  --lake URI         s3://bucket[/prefix], file:///abs/dir or a directory (default s3://<bucket>)
  --engine NAME      scan (default: reads Parquet footers and key columns directly, on disk or S3)
                     or duckdb (SQL with embedded DuckDB; a directory lake only)
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
