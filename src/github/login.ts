/** GitHub's limit on a username, managed users' `_shortcode` included. */
const MAX_LOGIN = 39;

/**
 * The login shapes GitHub issues:
 * - `user`: letters, digits and hyphens, not starting with a hyphen. New accounts may not double a hyphen or end
 *   with one, but accounts made before that rule keep such names, and GitHub still serves them.
 * - `managed-user`: an Enterprise Managed User, `handle_shortcode`. The handle is the IdP's user name normalized
 *   (letters, digits, single hyphens inside), the shortcode the enterprise's 3 to 8 letters and digits; the setup
 *   user is `shortcode_admin`. ("Username considerations for external authentication", GitHub Enterprise Cloud.)
 * - `bot`: a GitHub App acting as itself, `app-slug[bot]` (`github-actions[bot]`, `dependabot[bot]`).
 */
export type LoginShape = 'user' | 'managed-user' | 'bot';

const USER = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const MANAGED_USER = /^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*_[A-Za-z0-9]{3,8}$/;
const BOT = /^([A-Za-z0-9][A-Za-z0-9-]*)\[bot\]$/;

/** Which shape of GitHub login `login` is, or undefined when GitHub issues no login like it. */
export function loginShape(login: string): LoginShape | undefined {
  const bot = BOT.exec(login);
  if (bot) return (bot[1] as string).length <= MAX_LOGIN ? 'bot' : undefined;
  if (login.length > MAX_LOGIN) return undefined;
  if (USER.test(login)) return 'user';
  if (MANAGED_USER.test(login)) return 'managed-user';
  return undefined;
}

/** A login as quoted in a comment: at most 60 characters, without backticks or line breaks. */
export function quotedLogin(login: string): string {
  const plain = [...login].filter((c) => c !== '`' && c.charCodeAt(0) >= 0x20).join('');
  return `\`${plain.length > 60 ? `${plain.slice(0, 59)}…` : plain}\``;
}
