import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';

/** What the bot needs from the event that started the run; everything else in the payload is ignored. */
export type ActionEvent =
  | { name: 'issues'; action: string; issueNumber: number; label: string | undefined; sender: string }
  | { name: 'schedule' | 'workflow_dispatch' | 'push' | 'pull_request' | 'other'; eventName: string };

/** Event payloads are attacker-influenced text: read at most this much. */
const MAX_EVENT_BYTES = 5 * 1024 * 1024;

/**
 * The sender is taken as any short text: which logins GitHub issues (users, Enterprise Managed Users'
 * `handle_shortcode`, apps' `name[bot]`) is the fill check's question (src/github/login.ts), and it answers anything
 * else with a comment and the label removed, where a refusal here would fail the job in silence.
 */
const login = z.string().max(256);
const issuesPayload = z.object({
  action: z.string().max(50),
  issue: z.object({ number: z.number().int().positive() }),
  label: z.object({ name: z.string().max(100) }).optional(),
  sender: z.object({ login }),
});

/**
 * Reads `GITHUB_EVENT_PATH` for `GITHUB_EVENT_NAME`. Only the fields the bot uses are taken, each checked; a
 * payload that does not fit is a usage error naming the field, never a crash.
 */
export async function readEvent(
  eventName: string | undefined,
  eventPath: string | undefined,
): Promise<ActionEvent> {
  const name = eventName ?? '';
  if (name !== 'issues') {
    const known = ['schedule', 'workflow_dispatch', 'push', 'pull_request'] as const;
    return {
      name: (known as readonly string[]).includes(name) ? (name as (typeof known)[number]) : 'other',
      eventName: name,
    };
  }
  if (!eventPath) throw new UsageError('GITHUB_EVENT_PATH: not set for an issues event');
  let text: string;
  try {
    text = await readFile(eventPath, 'utf8');
  } catch (e) {
    throw new UsageError(
      `GITHUB_EVENT_PATH: cannot read ${eventPath} (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
    );
  }
  if (text.length > MAX_EVENT_BYTES)
    throw new UsageError(`event payload: ${text.length} bytes is over ${MAX_EVENT_BYTES}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError('event payload: not JSON');
  }
  const parsed = issuesPayload.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `event payload: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unexpected shape'}`,
    );
  }
  const p = parsed.data;
  return {
    name: 'issues',
    action: p.action,
    issueNumber: p.issue.number,
    label: p.label?.name,
    sender: p.sender.login,
  };
}
