import * as core from '@actions/core';
import type { AuditResult } from '../audit/types.js';
import type { Logger } from '../util/logger.js';

/** Domain logs go to the runner's log through @actions/core. */
export function actionLogger(): Logger {
  return { info: core.info, warn: core.warning, error: core.error, debug: core.debug };
}

/** The job summary of an audit (scorecard and gaps), and an annotation per failing table. */
export async function writeAuditSummary(result: AuditResult): Promise<void> {
  for (const t of result.tables)
    if (t.status === 'FAIL')
      core.warning(`${t.table}: ${t.issues.join('; ')}`, { title: `Data audit: ${t.table} FAIL` });
  const summary = core.summary.addHeading(`Data audit — ${result.lake}`, 2).addTable([
    [
      { data: 'Table', header: true },
      { data: 'Status', header: true },
      { data: 'Rows', header: true },
      { data: 'Issues', header: true },
    ],
    ...result.tables.map((t) => [
      t.table,
      t.status,
      t.rows.toLocaleString('en-US'),
      t.issues.slice(0, 3).join('; ') || '—',
    ]),
  ]);
  if (result.gaps.length > 0) {
    summary
      .addHeading(`${result.gaps.length} gaps`, 3)
      .addList(result.gaps.slice(0, 50).map((g) => `${g.key}: ${g.detail}`));
  }
  await summary.write();
}
