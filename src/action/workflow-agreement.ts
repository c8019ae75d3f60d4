import type { Config } from '../config/schema.js';
import { UsageError } from '../util/errors.js';

/**
 * config.yaml is the one source of the lake's region and the fill label; the workflows read them from repository
 * variables (`CBBD_AWS_REGION`, `CBBD_FILL_LABEL`) whose defaults are the shipped config's values, because a job's
 * `if:` and `aws-region:` are decided before any step can read a file. This check makes a disagreement fail the step,
 * naming the variable to set, instead of the workflow filtering on a label the bot ignores or the SDK calling the
 * lake's bucket in another region. `AWS_REGION` is what aws-actions/configure-aws-credentials exports;
 * `CBBD_FILL_LABEL` is set by the workflow from the same expression as its label filter.
 */
export function checkWorkflowAgreement(config: Config, env: Record<string, string | undefined>): void {
  const problems: string[] = [];
  const region = env.AWS_REGION;
  if (region && region !== config.region)
    problems.push(
      `the workflow's aws-region is ${region} but config.yaml says region: ${config.region}; set the repository ` +
        `variable CBBD_AWS_REGION to ${config.region}`,
    );
  const label = env.CBBD_FILL_LABEL;
  if (label !== undefined && label !== config.github.fill_label)
    problems.push(
      `the workflow filters on the label "${label}" but config.yaml says github.fill_label: ` +
        `${config.github.fill_label}; set the repository variable CBBD_FILL_LABEL to ${config.github.fill_label}`,
    );
  if (problems.length > 0) throw new UsageError(problems.join('; '));
}
