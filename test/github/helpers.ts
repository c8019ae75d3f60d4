import { afterEach } from 'vitest';
import type { AuditResult, Gap, GapKind, TableAudit } from '../../src/audit/types.js';
import { gapKey } from '../../src/audit/types.js';
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from '../../src/github/octokit.js';
import { createMemoryLogger } from '../../src/util/logger.js';
import {
  DEFAULT_BOT,
  DEFAULT_BOT_TOKEN,
  startFakeGitHub,
  type FakeGitHub,
  type FakeGitHubOptions,
} from '../fakes/github/server.js';

export const BOT = DEFAULT_BOT.login;

/** One person per role, plus someone outside the repository. */
export const USERS: FakeGitHubOptions['users'] = [
  DEFAULT_BOT,
  { login: 'alice', role: 'admin' },
  { login: 'max', role: 'maintain' },
  { login: 'walt', role: 'write' },
  { login: 'tracy', role: 'triage' },
  { login: 'rhea', role: 'read' },
  { login: 'stranger' },
];

/** Starts fakes for a test file and closes them after each test. */
export function fakeGitHubs(): (options?: FakeGitHubOptions) => Promise<FakeGitHub> {
  const running: FakeGitHub[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((f) => f.close()));
  });
  return async (options = {}) => {
    const f = await startFakeGitHub({ users: USERS, ...options });
    running.push(f);
    return f;
  };
}

/** The bot's client from the real factory, with waits shrunk to milliseconds, and the log it writes to. */
export function botClient(
  f: FakeGitHub,
  extra: Partial<GitHubClientOptions> = {},
): { octokit: GitHubClient; logger: ReturnType<typeof createMemoryLogger> } {
  const logger = createMemoryLogger();
  const octokit = createGitHubClient({
    token: DEFAULT_BOT_TOKEN,
    baseUrl: f.url,
    logger,
    retryAfterBaseValue: 1,
    writeSpacingMs: 0,
    ...extra,
  });
  return { octokit, logger };
}

export const repoOf = (f: FakeGitHub) => ({ owner: f.owner, repo: f.repo });

/** A fillable gap: `count` games of a season without child rows, ids from `first` on. */
export function missingChildren(table: string, season: number, count: number, first = 401_000): Gap {
  const ids = Array.from({ length: count }, (_, i) => first + i);
  const endpoint =
    { fct_plays: 'plays_game', fct_substitutions: 'substitutions_game' }[table] ?? 'lineups_game';
  return {
    key: gapKey('missing_children', table, season),
    kind: 'missing_children',
    table,
    season,
    endpoint,
    count,
    ids,
    detail: `${count} of 5,000 fct_games games in ${season} have no ${table} rows`,
  };
}

/** A gap of a kind a fill cannot close. */
export function otherGap(kind: GapKind, table: string, season?: number, extra: Partial<Gap> = {}): Gap {
  return {
    key: gapKey(kind, table, season),
    kind,
    table,
    ...(season === undefined ? {} : { season }),
    count: 1,
    ids: [],
    detail: `${kind} in ${table}`,
    ...extra,
  };
}

const table = (name: string, status: TableAudit['status']): TableAudit => ({
  table: name,
  layer: 'silver',
  kind: 'fact',
  configured: true,
  status,
  rows: 1000,
  files: 10,
  columns: 12,
  bySeason: {},
  nullPct: {},
  issues: [],
});

/** A small audit: three tables (PASS, WARN, FAIL), coverage of plays for 2024, and the given gaps. */
export function auditOf(gaps: Gap[], generatedAt = '2025-03-01T06:00:00Z', ratio = 0.99): AuditResult {
  return {
    schemaVersion: 1,
    generatedAt,
    lake: 's3://hoops-edge',
    engine: 'scan',
    seasons: [2020, 2025],
    tables: [table('fct_games', 'PASS'), table('fct_plays', 'WARN'), table('fct_lineups', 'FAIL')],
    coverage: [
      {
        table: 'fct_plays',
        parent: 'fct_games',
        season: 2024,
        parentIds: 5000,
        covered: Math.round(5000 * ratio),
        knownEmpty: 0,
        missing: 5000 - Math.round(5000 * ratio),
        ratio,
      },
    ],
    gaps,
    notes: [],
  };
}
