import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { auditLake } from '../../src/commands/audit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig } from '../helpers/lakes.js';
import { applyEdits, copyLake, lakeEdit, lakeFacts, editableLake, type LakeEdit } from './lake-edits.js';

const config = shippedConfig();
const SEASONS = [2023, 2024, 2025];

let minutes = 0;

/**
 * An audit of a directory lake through the command (manifest, engine and all), a minute after the previous one:
 * manifests are named by time, so the newest is the last one written.
 */
async function audit(root: string, full: boolean): Promise<AuditResult> {
  const now = new Date(Date.parse('2026-11-21T00:00:00Z') + 60_000 * minutes++);
  return auditLake(
    { config, lake: { kind: 'file', root }, engine: 'scan', seasons: SEASONS, out: '', full },
    { logger: createMemoryLogger(), env: {}, now: () => now },
  );
}

/** Whether a duplicates gap lists a key only one file holds: a file that repeats a key of its own. */
function ownRepeats(result: AuditResult): boolean {
  return result.gaps.some((g) => g.kind === 'duplicates' && (g.keys ?? []).some((k) => k.files.length === 1));
}

/** Every kind of edit, each made at least once by the two examples that run before the random ones. */
const EDIT_KINDS: LakeEdit['kind'][] = [
  'add',
  'change',
  'corrupt',
  'delete',
  'duplicate',
  'partition',
  'repeat',
];
const EXAMPLES: [LakeEdit[]][] = [
  [
    [
      { kind: 'add', pick: 0 },
      { kind: 'change', pick: 3, from: 1 },
      { kind: 'delete', pick: 5 },
      { kind: 'corrupt', pick: 8 },
    ],
  ],
  [
    [
      { kind: 'duplicate', pick: 2 },
      { kind: 'repeat', pick: 7 },
      { kind: 'partition', pick: 11 },
    ],
  ],
];

describe('an incremental audit after random lake edits', () => {
  let work: string;
  let base: string;
  let reserve: { dir: string; keys: string[] };
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'cbbd-incremental-'));
    ({ base, reserve } = await editableLake(work, SEASONS, 10, 7));
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('equals a full audit of the same lake, and reads exactly the files written since', async () => {
    let runs = 0;
    let ownDuplicates = 0;
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(lakeEdit, { minLength: 1, maxLength: 6 }), async (edits) => {
        const root = path.join(work, `run-${runs++}`);
        for (const e of edits) kinds.add(e.kind);
        await copyLake(base, root);
        try {
          const first = await audit(root, false);
          expect(first.run).toMatchObject({ kind: 'full', reason: 'no usable audit manifest' });
          const touched = await applyEdits(root, reserve, edits);
          const incremental = await audit(root, false);
          const full = await audit(root, true);
          expect(incremental.run?.kind).toBe('incremental');
          expect(full.run?.kind).toBe('full');
          expect(lakeFacts(incremental)).toEqual(lakeFacts(full));
          expect(incremental.run?.filesRead).toBe(touched.size);
          expect(full.run?.filesRead).toBe(full.run?.filesListed);
          // A quiet night after: every file's facts, duplicated keys and their files come from the manifest and
          // the re-read candidates (files sharing a key range, files repeating a key of their own).
          const quiet = await audit(root, false);
          expect(lakeFacts(quiet)).toEqual(lakeFacts(full));
          expect(quiet.run?.filesRead).toBe(0);
          if (edits.some((e) => e.kind === 'repeat') && ownRepeats(full)) ownDuplicates++;
        } finally {
          await rm(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 10, seed: 16, endOnFailure: true, examples: EXAMPLES },
    );
    expect([...kinds].sort()).toEqual(EDIT_KINDS);
    expect(ownDuplicates).toBeGreaterThan(0);
  });
});
