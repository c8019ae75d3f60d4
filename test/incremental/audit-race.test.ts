import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/audit/types.js';
import { auditLake } from '../../src/commands/audit.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import type { ObjectStore } from '../../src/lake/object-store.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import { shippedConfig } from '../helpers/lakes.js';
import { applyEdits, copyLake, lakeEdit, lakeFacts, editableLake, silverKeys } from './lake-edits.js';

const config = shippedConfig();
const SEASONS = [2024, 2025];

/**
 * The store of a process that is killed at its `killAt`-th call: that call and every later one fail, so nothing
 * after the kill reaches the lake, and the audit is cut off wherever it stood (listing, reading, writing).
 */
function killedAt(inner: ObjectStore, killAt: number): ObjectStore & { calls: () => number } {
  let calls = 0;
  const gate = () => {
    if (++calls >= killAt) throw new Error(`killed at call ${killAt}`);
  };
  return {
    ...inner,
    calls: () => calls,
    async *list(prefix) {
      gate();
      for await (const o of inner.list(prefix)) yield o;
    },
    listChildren: async (p) => (gate(), inner.listChildren(p)),
    head: async (k) => (gate(), inner.head(k)),
    get: async (k, r) => (gate(), inner.get(k, r)),
    putIfAbsent: async (k, b, t) => (gate(), inner.putIfAbsent(k, b, t)),
    delete: async (k) => (gate(), inner.delete(k)),
  };
}

async function audit(root: string, full: boolean, store?: ObjectStore): Promise<AuditResult> {
  return auditLake(
    { config, lake: { kind: 'file', root }, engine: 'scan', seasons: SEASONS, out: '', full },
    {
      logger: createMemoryLogger(),
      env: {},
      now: () => new Date('2026-11-21T00:00:00Z'),
      ...(store ? { store } : {}),
    },
  );
}

describe('two audits at once, one killed at a seeded point', () => {
  let work: string;
  let base: string;
  let reserve: { dir: string; keys: string[] };
  let files: number;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'cbbd-race-'));
    ({ base, reserve } = await editableLake(work, SEASONS, 8, 6));
    files = (await silverKeys(base)).length;
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('leave manifests from which the next audit still equals a full one', async () => {
    let runs = 0;
    let kills = 0;
    const killedKinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(lakeEdit, { minLength: 1, maxLength: 4 }),
        fc.array(lakeEdit, { minLength: 0, maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        async (before, after, seed, killedIsFull) => {
          const root = path.join(work, `run-${runs++}`);
          await copyLake(base, root);
          try {
            await audit(root, false);
            await applyEdits(root, reserve, before);
            // A full audit makes about one call a file; an incremental one a dozen (listings, manifest, deadletters).
            const killAt = 1 + (seed % (killedIsFull ? files + 8 : 12));
            const victim = killedAt(createFsStore(root), killAt);
            const [survivor, killed] = await Promise.allSettled([
              audit(root, false),
              audit(root, killedIsFull, victim),
            ]);
            expect(survivor.status).toBe('fulfilled');
            // A kill inside the manifest save is caught (the run's report stands; the next night reads more).
            if (killed.status === 'rejected' || victim.calls() >= killAt) {
              kills++;
              killedKinds.add(killedIsFull ? 'full' : 'incremental');
            }
            await applyEdits(root, reserve, after);
            const next = await audit(root, false);
            expect(next.run?.kind).toBe('incremental');
            expect(lakeFacts(next)).toEqual(lakeFacts(await audit(root, true)));
          } finally {
            await rm(root, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 8, seed: 1616, endOnFailure: true },
    );
    // Most runs kill an audit, full and incremental ones both.
    expect(kills).toBeGreaterThanOrEqual(4);
    expect([...killedKinds].sort()).toEqual(['full', 'incremental']);
  });
});
