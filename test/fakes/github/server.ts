import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDispatcher } from './dispatch.js';
import { createFaultSchedule, type FaultRule } from './faults.js';
import { addComment, addLabels, createIssue } from './issue-ops.js';
import { createRateLimits } from './rate-limit.js';
import { createPayloads } from './payloads.js';
import { createRequestLog, type RequestLogEntry } from './request-log.js';
import type { RouteDef } from './router.js';
import { contentRoutes } from './routes-contents.js';
import { gitObjectRoutes } from './routes-git.js';
import { issueRoutes } from './routes-issues.js';
import { labelRoutes } from './routes-labels.js';
import { pullRoutes } from './routes-pulls.js';
import { refRoutes } from './routes-refs.js';
import { repoRoutes } from './routes-repo.js';
import {
  fileAt,
  filesAt,
  issueSnapshot,
  pullSnapshot,
  type IssueSnapshot,
  type PullSnapshot,
} from './snapshots.js';
import { DEFAULT_BOT, createRepoState, userFor, type FakeUserSpec, type RepoRole } from './state.js';
import { createRequestListener } from './transport.js';
import { createViews } from './views.js';

export { ACTIONS_MAY_NOT_CREATE_PULLS } from './routes-pulls.js';
export { ACTIONS_BOT, DEFAULT_BOT, DEFAULT_BOT_TOKEN, type FakeUserSpec, type RepoRole } from './state.js';
export {
  SECONDARY_RATE_LIMIT_MESSAGE,
  type Fault,
  type FaultKind,
  type FaultRequest,
  type FaultRule,
} from './faults.js';
export type { IssueSnapshot, PullSnapshot } from './snapshots.js';
export type { RequestLogEntry } from './request-log.js';

export interface FakeGitHubOptions {
  /** Default `cbbd-org`. */
  owner?: string;
  /** Default `cbbd-lake`. */
  repo?: string;
  /** Default true: non-collaborators then get 404 from the permission endpoint. */
  private?: boolean;
  /** Default `main`. */
  defaultBranch?: string;
  /** The files of the initial commit on the default branch, path → UTF-8 text. */
  files?: Record<string, string>;
  /** Who exists, who holds a token and who has which role. Default: just `DEFAULT_BOT`. */
  users?: FakeUserSpec[];
  /** Requests per caller per hour before the primary rate limit answers 403. Default 5000. */
  rateLimit?: number;
  faults?: FaultRule[];
  /** "Allow GitHub Actions to create and approve pull requests". Default true (GitHub's default is off since 2022). */
  actionsCanCreatePullRequests?: boolean;
  /** The clock for timestamps and quota windows. Default the real one. */
  now?: () => Date;
}

export interface NewIssueInput {
  title: string;
  body?: string;
  labels?: string[];
}

/** An event as a runner hands it to an action: its name (`GITHUB_EVENT_NAME`) and the payload file's JSON. */
export interface WorkflowEvent {
  name: 'issues' | 'workflow_dispatch' | 'schedule';
  payload: Record<string, unknown>;
}

/** A running fake and everything a test needs to arrange, observe and count. */
export interface FakeGitHub {
  url: string;
  owner: string;
  repo: string;
  /** The token configured for a user; throws when the user has none. */
  tokenFor(login: string): string;
  issues(): IssueSnapshot[];
  issue(number: number): IssueSnapshot;
  pulls(): PullSnapshot[];
  /** Full ref name → commit SHA. */
  refs(): Record<string, string>;
  fileAt(ref: string, path: string): string | undefined;
  filesAt(ref: string): Record<string, string> | undefined;
  log(): RequestLogEntry[];
  /** Every request since the fake started, `resetLog` notwithstanding. */
  history(): RequestLogEntry[];
  /** Non-GET requests that reached a route handler, whatever it answered; faults and refusals excluded. */
  writes(): number;
  /** Requests answered by an injected fault. */
  faults(): number;
  resetLog(): void;
  /** A person opening an issue in the web UI (labels applied as an issue template would, whatever their role). */
  openIssueAs(login: string, input: NewIssueInput): IssueSnapshot;
  /** A person adding a label in the web UI: a `labeled` event with them as actor, and the `issues` event delivered. */
  labelAs(login: string, issueNumber: number, label: string): WorkflowEvent;
  /** A person running a workflow by hand: the `workflow_dispatch` event. */
  dispatchAs(login: string, workflow: string, inputs: Record<string, string | boolean>): WorkflowEvent;
  /** The `schedule` event of a workflow's cron line. */
  scheduled(workflow: string, cron: string): WorkflowEvent;
  commentAs(login: string, issueNumber: number, body: string): void;
  setRole(login: string, role: RepoRole | undefined): void;
  /** An admin flipping "Allow GitHub Actions to create and approve pull requests". */
  setActionsCanCreatePullRequests(allowed: boolean): void;
  injectFault(rule: FaultRule): void;
  close(): Promise<void>;
}

const ROUTES: readonly RouteDef[] = [
  ...repoRoutes,
  ...issueRoutes,
  ...labelRoutes,
  ...contentRoutes,
  ...refRoutes,
  ...gitObjectRoutes,
  ...pullRoutes,
];

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const clock = options.now ?? (() => new Date());
  const state = createRepoState({
    owner: options.owner ?? 'cbbd-org',
    repo: options.repo ?? 'cbbd-lake',
    private: options.private ?? true,
    defaultBranch: options.defaultBranch ?? 'main',
    files: options.files ?? {},
    users: options.users ?? [DEFAULT_BOT],
    actionsCanCreatePullRequests: options.actionsCanCreatePullRequests ?? true,
    now: clock,
  });
  const rates = createRateLimits(options.rateLimit ?? 5000, () => clock().getTime());
  const faultSchedule = createFaultSchedule(options.faults ?? []);
  const requests = createRequestLog();

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const views = createViews(state, url);
  const payloads = createPayloads(state, views);
  const dispatcher = createDispatcher({
    state,
    views,
    routes: ROUTES,
    rates,
    faults: faultSchedule,
  });
  server.on('request', createRequestListener(url, dispatcher, requests, rates, clock));

  const issueRecord = (number: number) => {
    const issue = state.issues.get(number);
    if (!issue) throw new Error(`the fake has no issue or pull request #${number}`);
    return issue;
  };
  const pullRecords = () =>
    [...state.issues.values()].flatMap((i) => (i.pull ? [pullSnapshot(state, { ...i, pull: i.pull })] : []));

  return {
    url,
    owner: state.owner,
    repo: state.name,
    tokenFor(login) {
      const entry = [...state.tokens.entries()].find(([, l]) => l.toLowerCase() === login.toLowerCase());
      if (!entry) throw new Error(`no token configured for ${login}; give it one in options.users`);
      return entry[0];
    },
    issues: () => [...state.issues.values()].map(issueSnapshot),
    issue: (number) => issueSnapshot(issueRecord(number)),
    pulls: pullRecords,
    refs: () => Object.fromEntries(state.refs),
    fileAt: (ref, path) => fileAt(state, ref, path),
    filesAt: (ref) => filesAt(state, ref),
    log: requests.entries,
    history: requests.history,
    writes: requests.writes,
    faults: requests.faults,
    resetLog: requests.reset,
    openIssueAs: (login, input) => issueSnapshot(createIssue(state, userFor(state, login), input)),
    labelAs(login, issueNumber, label) {
      const issue = issueRecord(issueNumber);
      const sender = userFor(state, login);
      addLabels(state, issue, [label], sender);
      return { name: 'issues', payload: payloads.issuesLabeled(issue, label, sender) };
    },
    dispatchAs: (login, workflow, inputs) => ({
      name: 'workflow_dispatch',
      payload: payloads.workflowDispatch(workflow, inputs, userFor(state, login)),
    }),
    scheduled: (workflow, cron) => ({ name: 'schedule', payload: payloads.schedule(workflow, cron) }),
    commentAs(login, issueNumber, body) {
      addComment(state, issueRecord(issueNumber), userFor(state, login), body);
    },
    setRole(login, role) {
      userFor(state, login).role = role;
    },
    setActionsCanCreatePullRequests(allowed) {
      state.actionsCanCreatePullRequests = allowed;
    },
    injectFault: (rule) => faultSchedule.add(rule),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
