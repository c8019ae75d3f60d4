import type { Octokit } from '@octokit/rest';
import type { Logger } from '../util/logger.js';
import { labelName, unless404 } from './http-status.js';
import { loginShape, quotedLogin } from './login.js';
import { parseMarker, parseRefusalMarker, renderRefusalMarker } from './marker.js';
import type { WriteBudget } from './write-budget.js';

export interface CheckFillRequestOptions {
  octokit: Octokit;
  owner: string;
  repo: string;
  issueNumber: number;
  /** Who added the label (`github.event.sender.login`). */
  labeler: string;
  botLogin: string;
  /** Default `data-gap`. */
  gapLabel?: string;
  /** Default `fill`. */
  fillLabel?: string;
  /** Charged for a refusal's comment and the label's removal. */
  budget: WriteBudget;
  logger: Logger;
}

/** Why a `fill` label is not honoured. */
export type FillRefusal =
  | 'label-gone'
  | 'unknown-login'
  | 'not-permitted'
  | 'not-bot-issue'
  | 'issue-closed'
  | 'missing-gap-label'
  | 'no-marker'
  | 'not-fillable';

export type FillRequestDecision =
  | { allowed: true; gap: { key: string; endpoint: string; season: number; table: string } }
  | { allowed: false; reason: FillRefusal; message: string };

/** Roles that may spend API quota on a fill. Triage can add labels, but must not start spending. */
const ALLOWED_ROLES = new Set(['admin', 'maintain', 'write']);
const KNOWN_ROLES = new Set(['admin', 'maintain', 'write', 'triage', 'read']);

/**
 * Decides whether a `fill` label starts a fill, from the issue as it is now (never the event payload): the
 * labeller holds write, maintain or admin, the bot opened the issue, it is open, carries the gap label and a
 * marker of a fillable gap. A refusal is explained once per person and reason, and the `fill` label removed.
 */
export async function checkFillRequest(o: CheckFillRequestOptions): Promise<FillRequestDecision> {
  const { octokit, owner, repo, issueNumber } = o;
  const fillLabel = o.fillLabel ?? 'fill';
  const { data: issue } = await octokit.rest.issues.get({ owner, repo, issue_number: issueNumber });
  const labels = issue.labels.map(labelName);
  if (!labels.some((l) => l.toLowerCase() === fillLabel.toLowerCase())) {
    const message = `#${issueNumber} no longer carries \`${fillLabel}\`: nothing to do`;
    o.logger.info(message);
    return { allowed: false, reason: 'label-gone', message };
  }
  if (!loginShape(o.labeler)) {
    const decision = {
      allowed: false as const,
      reason: 'unknown-login' as const,
      message:
        `it came from ${quotedLogin(o.labeler)}, which is not a login GitHub issues (a user, an Enterprise ` +
        'Managed User `handle_shortcode`, or an app `name[bot]`), so its access cannot be checked',
    };
    await refuse(o, fillLabel, decision);
    return decision;
  }
  const role = await roleOf(o);
  const decision = judgeFillRequest({
    role,
    author: issue.user?.login,
    botLogin: o.botLogin,
    open: issue.state === 'open',
    labels,
    gapLabel: o.gapLabel ?? 'data-gap',
    body: issue.body,
  });
  if (decision.allowed) {
    o.logger.info(
      `fill of ${decision.gap.key} requested by ${o.labeler} (${role}) on #${issueNumber}: allowed`,
    );
    return decision;
  }
  await refuse(o, fillLabel, decision);
  return decision;
}

/** The rules of `checkFillRequest` on facts already read, most basic first: who, whose issue, which gap. */
export function judgeFillRequest(facts: {
  role: string;
  author: string | undefined;
  botLogin: string;
  open: boolean;
  labels: readonly string[];
  gapLabel: string;
  body: string | null | undefined;
}): FillRequestDecision {
  const refuse = (reason: FillRefusal, message: string) => ({ allowed: false as const, reason, message });
  if (!ALLOWED_ROLES.has(facts.role))
    return refuse(
      'not-permitted',
      `a fill spends API quota, so it needs write, maintain or admin access (yours: ${facts.role})`,
    );
  if (facts.author?.toLowerCase() !== facts.botLogin.toLowerCase())
    return refuse(
      'not-bot-issue',
      `only issues opened by ${facts.botLogin} can be filled, and ${facts.author ?? 'a deleted user'} opened this one`,
    );
  if (!facts.open)
    return refuse('issue-closed', 'the issue is closed: the last audit no longer found this gap');
  if (!facts.labels.some((l) => l.toLowerCase() === facts.gapLabel.toLowerCase()))
    return refuse('missing-gap-label', `the issue must carry the label \`${facts.gapLabel}\``);
  const marker = parseMarker(facts.body);
  if (!marker) return refuse('no-marker', "the issue's hidden gap marker is missing or damaged");
  const { key, kind, endpoint, season, table } = marker;
  if (kind !== 'missing_children' || !endpoint || season === undefined)
    return refuse(
      'not-fillable',
      `a \`${kind}\` gap cannot be filled from the API; the issue says what it needs`,
    );
  return { allowed: true, gap: { key, endpoint, season, table } };
}

/** The labeller's role: `role_name` (maintain and triage are real there), else the legacy `permission`. */
async function roleOf({ octokit, owner, repo, labeler }: CheckFillRequestOptions): Promise<string> {
  // A private repository answers 404 for someone who is not a collaborator.
  const found = await unless404(
    octokit.rest.repos.getCollaboratorPermissionLevel({ owner, repo, username: labeler }),
  );
  if (!found) return 'none';
  const { role_name: roleName, permission } = found.data;
  // A custom role has its own name; its legacy permission tells what it is based on.
  return KNOWN_ROLES.has(roleName) ? roleName : permission;
}

/** Comments once per person and reason (a hidden marker remembers), then removes the label. */
async function refuse(
  o: CheckFillRequestOptions,
  fillLabel: string,
  { reason, message: why }: { reason: FillRefusal; message: string },
): Promise<void> {
  const { octokit, owner, repo, issueNumber, labeler } = o;
  o.logger.warn(`fill requested by ${quotedLogin(labeler)} on #${issueNumber} refused: ${why}`);
  if (!(await alreadyRefused(o, reason))) {
    // Only a real login is @-mentioned; anything else is quoted, never linked.
    const who = reason === 'unknown-login' ? 'Sorry' : `@${labeler}`;
    const body =
      `${renderRefusalMarker({ user: labeler.slice(0, 100), reason })}\n` +
      `${who}, the \`${fillLabel}\` label did not start a fill: ${why}. ` +
      `Someone with write access can add the label again once that is fixed.`;
    o.budget.consume('comment');
    await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body });
  }
  o.budget.consume('label');
  await unless404(
    octokit.rest.issues.removeLabel({ owner, repo, issue_number: issueNumber, name: fillLabel }),
  );
}

async function alreadyRefused(o: CheckFillRequestOptions, reason: FillRefusal): Promise<boolean> {
  const { octokit, owner, repo, issueNumber } = o;
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    for (const comment of page.data) {
      if (comment.user?.login.toLowerCase() !== o.botLogin.toLowerCase()) continue;
      const marker = parseRefusalMarker(comment.body);
      if (marker?.reason === reason && marker.user.toLowerCase() === o.labeler.slice(0, 100).toLowerCase())
        return true;
    }
  }
  return false;
}
