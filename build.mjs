// Builds the two committed bundles with @vercel/ncc: dist/index.js (the action) and dist/cli.js (the CLI).
// Usage: node build.mjs [outDir]   (default dist/; the dist test builds into a temp dir and compares)
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const outDir = path.resolve(process.argv[2] ?? 'dist');
const ncc = path.resolve('node_modules/@vercel/ncc/dist/ncc/cli.js');
// ncc type-checks with src/tsconfig.json (src only): a test file never breaks a build; `npm run lint` checks all.
const entries = [
  { entry: 'src/action/main.ts', file: 'index.js' },
  { entry: 'src/cli/main.ts', file: 'cli.js' },
];

mkdirSync(outDir, { recursive: true });
for (const { entry, file } of entries) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cbbd-ncc-'));
  try {
    execFileSync(process.execPath, [ncc, 'build', entry, '-o', tmp, '-q'], {
      stdio: 'inherit',
    });
    const extra = readdirSync(tmp).filter((f) => f !== 'index.js' && f !== 'package.json');
    if (extra.length > 0) throw new Error(`ncc emitted more than one file for ${entry}: ${extra.join(', ')}`);
    copyFileSync(path.join(tmp, 'index.js'), path.join(outDir, file));
    if (file === 'cli.js') chmodSync(path.join(outDir, file), 0o755);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
