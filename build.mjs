// Builds the two committed bundles with @vercel/ncc: dist/index.js (the action) and dist/cli.js (the CLI).
// Usage: node build.mjs [outDir]   (default dist/; the dist test builds into a temp dir and compares)
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const outDir = path.resolve(process.argv[2] ?? 'dist');
const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
// ncc type-checks with src/tsconfig.json (src only): a test file never breaks a build; `npm run lint` checks all.
const entries = [
  { entry: 'src/action/main.ts', file: 'index.js' },
  { entry: 'src/cli/main.ts', file: 'cli.js' },
];

/** One entry bundled by ncc into a temp dir, then copied to `outDir/file`. */
async function build({ entry, file }) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cbbd-ncc-'));
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [ncc, 'build', entry, '-o', tmp, '-q'],
      { maxBuffer: 64 * 1024 * 1024 },
    ).catch((e) => {
      process.stdout.write(e.stdout ?? '');
      process.stderr.write(e.stderr ?? '');
      throw new Error(`ncc failed to build ${entry}`);
    });
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    const extra = readdirSync(tmp).filter((f) => f !== 'index.js' && f !== 'package.json');
    if (extra.length > 0) throw new Error(`ncc emitted more than one file for ${entry}: ${extra.join(', ')}`);
    copyFileSync(path.join(tmp, 'index.js'), path.join(outDir, file));
    if (file === 'cli.js') chmodSync(path.join(outDir, file), 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

mkdirSync(outDir, { recursive: true });
// The two bundles share nothing (each its own temp dir and ncc cache entry): built at once, the build takes as long
// as the slower one where two cores are free.
const failed = (await Promise.allSettled(entries.map(build))).find((r) => r.status === 'rejected');
if (failed) throw failed.reason;
