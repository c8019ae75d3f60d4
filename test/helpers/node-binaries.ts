import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Node 24 from the `node` npm package (what GitHub runs `runs.using: node24` with). */
export const NODE24 = path.resolve('node_modules/node/bin/node');

/** The version of that Node, from its package (`24.21.0`). */
export const NODE24_VERSION = (
  JSON.parse(readFileSync(path.resolve('node_modules/node/package.json'), 'utf8')) as { version: string }
).version;

/**
 * Refuses to run the suite on any other Node: `npm test` starts vitest with NODE24 itself, and `npx vitest` finds it
 * first on the PATH that npm builds, but `./node_modules/.bin/vitest` run by hand would use the machine's own Node.
 */
export function assertNode24(): void {
  if (process.versions.node !== NODE24_VERSION) {
    throw new Error(
      `the tests run on Node ${NODE24_VERSION} from node_modules/node (the action's runtime), not on Node ` +
        `${process.versions.node} at ${process.execPath}: run them with npm test or npx vitest`,
    );
  }
}

/**
 * Runs a bundle (`dist/index.js`, `dist/cli.js`) on NODE24 in its own process and collects what it printed; aborting
 * `signal` kills it with SIGKILL (no clean-up of its own: a crash), and its code is then null.
 */
export async function runBundle(
  bundle: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE24, [path.resolve(bundle), ...args], {
    ...options,
    killSignal: 'SIGKILL',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A kill through `signal` also reports an AbortError here; the exit below is what the caller awaits.
  child.on('error', () => undefined);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}
