import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBundle } from './node-binaries.js';

/** What one run of the bundled action left behind. */
export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
}

/**
 * Runs `dist/index.js` on Node 24 exactly as a runner does: inputs as `INPUT_<NAME>` (hyphens kept), the event as a
 * file at `GITHUB_EVENT_PATH`, outputs and the job summary through the files `GITHUB_OUTPUT` and
 * `GITHUB_STEP_SUMMARY`, and GitHub at `GITHUB_API_URL`.
 */
export async function runBundledAction(options: {
  workspace: string;
  inputs: Record<string, string>;
  /** The event as the fake GitHub builds it (`labelAs`, `dispatchAs`, `scheduled`). */
  event: { name: string; payload: unknown };
  env?: Record<string, string>;
  github: { url: string; owner: string; repo: string };
}): Promise<ActionRun> {
  const runner = await mkdtemp(path.join(os.tmpdir(), 'cbbd-runner-'));
  const files = {
    output: path.join(runner, 'output'),
    summary: path.join(runner, 'summary.md'),
    event: path.join(runner, 'event.json'),
  };
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  await writeFile(files.event, JSON.stringify(options.event.payload));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    GITHUB_API_URL: options.github.url,
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_REPOSITORY: `${options.github.owner}/${options.github.repo}`,
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: runner,
    // A second of GitHub pacing (write spacing, backoff, retry-after) lasts 10 ms against the fake GitHub.
    CBBD_GITHUB_PACE_MS: '10',
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  const { code, stdout, stderr } = await runBundle('dist/index.js', [], { cwd: options.workspace, env });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(files.output, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
  };
}

/** `GITHUB_OUTPUT` holds `name<<DELIMITER`, the value's lines, then `DELIMITER`, for each output. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!);
    out[m[1]!] = value.join('\n');
  }
  return out;
}
