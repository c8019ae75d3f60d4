import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  steps?: Step[];
}
const workflow = (name: string) =>
  parse(readFileSync(`.github/workflows/${name}`, 'utf8')) as { jobs: Record<string, Job> };
const fill = workflow('fill.yml');
const audit = workflow('audit.yml');
const config = parse(readFileSync('config.yaml', 'utf8')) as {
  region: string;
  github: { fill_label: string };
};

const usesAws = (job: Job) => (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/'));
const action = (job: Job) => (job.steps ?? []).find((s) => s.uses === './');
const needs = (job: Job) => (typeof job.needs === 'string' ? [job.needs] : (job.needs ?? []));
const everyJob = [...Object.entries(fill.jobs), ...Object.entries(audit.jobs)];

describe('fill.yml: the fill label and the labeller are checked before anything touches AWS', () => {
  it('checks in a first job with no id-token and no AWS step, plans only when that check allowed it', () => {
    const check = fill.jobs.check!;
    expect(needs(check)).toEqual([]);
    expect(check.permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(usesAws(check)).toBe(false);
    expect(action(check)?.with?.command).toBe('check');
    expect(fill.jobs.plan?.needs).toBe('check');
    expect(fill.jobs.plan?.if).toBe("needs.check.outputs.allowed == 'true'");
    expect(action(fill.jobs.plan!)?.with).toMatchObject({
      endpoint: '${{ needs.check.outputs.endpoint }}',
      seasons: '${{ needs.check.outputs.seasons }}',
    });
    // Every job with AWS waits, through its needs, for the check.
    const reaches = (name: string): boolean =>
      name === 'check' || needs(fill.jobs[name]!).some((n) => reaches(n));
    for (const [name, job] of Object.entries(fill.jobs))
      if (job.permissions?.['id-token']) expect(reaches(name), name).toBe(true);
  });

  it('finalizes only when not cancelled; a cancelled run comments so, without AWS, and keeps the label', () => {
    expect(fill.jobs.finalize?.if).toMatch(/^\$\{\{ !cancelled\(\) && /);
    for (const [name, job] of Object.entries(fill.jobs)) expect(job.if ?? '', name).not.toContain('always()');
    const cancelled = fill.jobs.cancelled!;
    expect(cancelled.if).toBe(
      "${{ cancelled() && needs.check.outputs.allowed == 'true' && needs.check.outputs.issue-number != '' }}",
    );
    expect(cancelled.permissions).toEqual({ contents: 'read', issues: 'write' });
    expect(usesAws(cancelled)).toBe(false);
    expect(action(cancelled)?.with).toMatchObject({ command: 'finalize', cancelled: true });
  });
});

describe('secrets and the AWS role are used only in the default-branch environment', () => {
  it.each(everyJob)('%s: id-token or a lake secret only inside environment cbbd-lake', (_name, job) => {
    const text = JSON.stringify(job);
    const privileged =
      job.permissions?.['id-token'] === 'write' || /secrets\.(CBBD_API_KEY|CBBD_AWS_ROLE_ARN)/.test(text);
    if (privileged) expect(job.environment).toBe('cbbd-lake');
    else expect(job.environment).toBeUndefined();
  });
});

describe('one source for the AWS region and the fill label: config.yaml', () => {
  const region = `\${{ vars.CBBD_AWS_REGION || '${config.region}' }}`;
  const label = `vars.CBBD_FILL_LABEL || '${config.github.fill_label}'`;

  it.each(everyJob)('%s: aws-region is the variable with config.yaml’s region as default', (_name, job) => {
    for (const step of (job.steps ?? []).filter((s) => s.uses?.startsWith('aws-actions/')))
      expect(step.with?.['aws-region']).toBe(region);
  });

  it('the label filter and the action’s CBBD_FILL_LABEL use the variable with config.yaml’s fill_label as default', () => {
    expect(fill.jobs.check?.if).toBe(
      `github.event_name == 'workflow_dispatch' || github.event.label.name == (${label})`,
    );
    for (const job of [fill.jobs.check!, audit.jobs.audit!])
      expect(action(job)?.env?.CBBD_FILL_LABEL).toBe(`\${{ ${label} }}`);
  });
});

describe('docs', () => {
  const setup = readFileSync('docs/setup.md', 'utf8');
  const security = readFileSync('docs/security.md', 'utf8').replace(/\s+/g, ' ');

  it('setup.md has a repository settings section: the PR setting, the App token, CI on the audit PR, the environment, the variables', () => {
    const section = setup.slice(setup.indexOf('## 3. Repository settings')).replace(/\s+/g, ' ');
    expect(setup).toContain('## 3. Repository settings');
    for (const words of [
      'Allow GitHub Actions to create and approve pull requests',
      'create-github-app-token',
      'start no workflow',
      'cbbd-lake',
      'CBBD_AWS_REGION',
      'CBBD_FILL_LABEL',
    ])
      expect(section, words).toContain(words);
  });

  it('security.md describes the environment and the job split', () => {
    for (const words of ['cbbd-lake', 'fill / check', 'no `id-token`', 'environment:cbbd-lake'])
      expect(security, words).toContain(words);
  });
});
