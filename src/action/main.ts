import * as core from '@actions/core';
import { errorMessage, exitCodeFor } from '../util/errors.js';
import { readEvent } from './event.js';
import { readInputs } from './inputs.js';
import { runAction } from './run-action.js';
import { failureSummary } from './summary.js';
import { checkWorkflowAgreement } from './workflow-agreement.js';

/** The action's entry: inputs and the event → one command → outputs, a job summary, annotations; errors → setFailed. */
async function main(): Promise<void> {
  try {
    // Secrets are masked before anything can print them: the token, and the API key the fill step gets by env.
    for (const secret of [
      core.getInput('github-token'),
      process.env.CBBD_API_KEY,
      process.env.BEARER_TOKEN,
    ]) {
      if (secret) core.setSecret(secret);
    }
    const settings = await readInputs((name) => core.getInput(name));
    checkWorkflowAgreement(settings.loaded.config, process.env);
    const event = await readEvent(process.env.GITHUB_EVENT_NAME, process.env.GITHUB_EVENT_PATH);
    for (const w of settings.loaded.warnings) core.warning(w);
    const logger = { info: core.info, warn: core.warning, error: core.error, debug: core.debug };
    const result = await runAction(settings, event, { logger, env: process.env, now: () => new Date() });
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, value);
    for (const w of result.summary.warnings) core.warning(w.message, { title: w.title });
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(result.summary.markdown, true).write();
    if (result.failure) core.setFailed(result.failure);
  } catch (e) {
    // The step's exit code tells the failures apart as the CLI's does: 2 usage, 3 quota, 4 the run failed.
    const code = exitCodeFor(e);
    core.setFailed(errorMessage(e));
    process.exitCode = code;
    if (process.env.GITHUB_STEP_SUMMARY)
      await core.summary.addRaw(failureSummary(code, errorMessage(e)), true).write();
  }
}

await main();
