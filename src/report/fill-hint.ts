import type { Gap } from '../audit/types.js';

/** How a maintainer fills a gap: the label on its issue, or the CLI line. Undefined when a fill cannot close it. */
export function fillCommand(gap: Gap): string | undefined {
  if (gap.kind !== 'missing_children' || !gap.endpoint || gap.season === undefined) return undefined;
  return `cbbd-gap-bot fill --endpoint ${gap.endpoint} --seasons ${gap.season}`;
}

/** What to do about a gap that a fill cannot close. */
export function remedy(gap: Gap): string {
  switch (gap.kind) {
    case 'missing_children':
      return fillCommand(gap)
        ? `label the issue \`fill\`, or run \`${fillCommand(gap)}\``
        : 'no endpoint configured for this table';
    case 'catalog_missing_partition':
      return '`cbbd-gap-bot repair --apply` registers them';
    case 'catalog_stale_partition':
      return '`cbbd-gap-bot repair --apply --confirm-delete` removes them from the catalog';
    case 'catalog_partition_keys':
      return "recreate the catalog table with the paths' partition keys, then `cbbd-gap-bot repair --apply`";
    case 'mixed_partition_layout':
      return (
        'three steps: (1) `cbbd-gap-bot repair --normalize` shows the files to copy and the partitions to register; ' +
        '(2) `cbbd-gap-bot repair --normalize --apply` copies the rows into season=/date= and registers the new ' +
        'partitions, and keeps the originals, so until step 3 the report still shows this gap and also a ' +
        '`duplicates` gap for the season (every copied row is there twice, the table may turn FAIL); ' +
        '(3) `cbbd-gap-bot repair --normalize --apply --confirm-delete` deletes each original whose every key it ' +
        'read back from the copies, and the next audit shows neither gap'
      );
    case 'unreadable_file':
      return 'rewrite or remove the file, then re-run the pipeline for its games';
    case 'duplicates':
      return 'find the second copy (another date partition, a re-run) and remove it';
    case 'missing_season':
    case 'empty_table':
      return gap.endpoint
        ? `run the pipeline's \`${gap.endpoint}\` endpoint (\`cbbd_etl\`, that endpoint only) for ${gap.season === undefined ? 'its seasons' : `season ${gap.season}`}`
        : "re-run the pipeline for the table's seasons (`cbbd_etl backfill`)";
    case 'volume_anomaly':
      return 'compare with the API; a partial pipeline run is the usual cause';
    case 'unexpected_partition':
      return 'dimensions live under asof=; move or remove the season= partition';
    case 'schema_drift':
      return "rewrite the named files with the catalog's column types (or move files of another table out), then re-audit";
  }
}
