import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultAnswerSize, measureAnswers } from '../../src/fill/answer-size.js';
import { createFsStore } from '../../src/lake/fs-store.js';
import { layoutFrom, rawKey } from '../../src/layout/keys.js';
import { createMemoryLogger } from '../../src/util/logger.js';

const layout = layoutFrom({
  raw_prefix: 'raw',
  bronze_prefix: 'bronze',
  silver_prefix: 'silver',
  deadletter_prefix: 'deadletter',
});
const CAP = 64 * 1024 * 1024;

describe('measureAnswers', () => {
  it('measures rows per game and bytes per row on the raw files of the newest ingest days', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'cbbd-sizes-'));
    try {
      const store = createFsStore(root);
      const answer = (rows: number, width: number) =>
        gzipSync(Array.from({ length: rows }, () => `{"x": "${'a'.repeat(width)}"}`).join('\n') + '\n');
      await store.putIfAbsent(rawKey(layout, 'plays_game', '2026-01-02', { gameId: 1 }), answer(3, 90));
      await store.putIfAbsent(rawKey(layout, 'plays_game', '2026-01-02', { gameId: 2 }), answer(5, 90));
      const size = await measureAnswers(store, layout, 'plays_game', CAP, createMemoryLogger());
      expect(size).toEqual({ rowsPerGame: 4, bytesPerRow: 100, capBytes: CAP, measuredFiles: 2 });
      const none = await measureAnswers(store, layout, 'substitutions_game', CAP, createMemoryLogger());
      expect(none).toEqual({ ...defaultAnswerSize('substitutions_game', CAP), measuredFiles: 0 });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
