import { createGitHubClient, type GitHubClient } from '../github/octokit.js';
import { createWriteBudget, type WriteBudget } from '../github/write-budget.js';
import { UsageError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import type { Env } from './ports.js';

/** Where the run is on GitHub: the repository, the API, the run's own page, the bot's login, the run's writes. */
export interface GitHubContext {
  octokit: GitHubClient;
  /** Every write of the run is charged here (src/github/write-budget.ts). */
  budget: WriteBudget;
  owner: string;
  repo: string;
  botLogin: string;
  runUrl: string | undefined;
}

/**
 * GitHub as the runner describes it (`GITHUB_REPOSITORY`, `GITHUB_API_URL`, `GITHUB_SERVER_URL`, `GITHUB_RUN_ID`),
 * with a client that retries and throttles (src/github/octokit.ts). `GITHUB_API_URL` is how tests point the
 * bundled action at the fake GitHub.
 */
export function openGitHub(token: string, botLogin: string, env: Env, logger: Logger): GitHubContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo, ...rest] = repository.split('/');
  if (!owner || !repo || rest.length > 0)
    throw new UsageError(`GITHUB_REPOSITORY: expected owner/repo, got "${repository}"`);
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    octokit: createGitHubClient({
      token,
      baseUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
      logger,
      ...githubPace(env),
    }),
    budget: createWriteBudget(),
    owner,
    repo,
    botLogin,
    runUrl: env.GITHUB_RUN_ID ? `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
  };
}

/**
 * `CBBD_GITHUB_PACE_MS`: the milliseconds one second of GitHub pacing lasts (the spacing between two writes, retry
 * backoff, `retry-after`). Unset, as on a runner: 1000, the second GitHub asks for. The tests that run the bundled
 * action against the fake GitHub set a few, so a night of writes does not wait a second per write.
 */
function githubPace(env: Env): { retryAfterBaseValue?: number; writeSpacingMs?: number } {
  const raw = env.CBBD_GITHUB_PACE_MS;
  if (raw === undefined || raw === '') return {};
  const ms = Number(raw);
  if (!/^\d+$/.test(raw) || ms > 1000)
    throw new UsageError(`CBBD_GITHUB_PACE_MS: expected whole milliseconds from 0 to 1000, got "${raw}"`);
  return { retryAfterBaseValue: ms, writeSpacingMs: ms };
}
