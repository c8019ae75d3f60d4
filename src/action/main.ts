import * as core from '@actions/core';
import { auditCommand } from '../commands/audit.js';
import { errorMessage } from '../util/errors.js';
import { readInputs } from './inputs.js';
import { actionLogger, writeAuditSummary } from './report-out.js';

/** The action's entry: inputs → one command → outputs, summary and annotations; errors → setFailed. */
async function main(): Promise<void> {
  try {
    const settings = await readInputs((name) => core.getInput(name));
    const logger = actionLogger();
    for (const w of settings.loaded.warnings) core.warning(w);
    const outcome = await auditCommand(
      {
        config: settings.loaded.config,
        lake: settings.lake,
        engine: settings.engine,
        seasons: settings.seasons,
        out: settings.out,
      },
      { logger, env: process.env, now: () => new Date() },
    );
    core.setOutput('gaps', String(outcome.result.gaps.length));
    core.setOutput('report-path', outcome.files.markdown);
    await writeAuditSummary(outcome.result);
  } catch (e) {
    core.setFailed(errorMessage(e));
  }
}

await main();
