/** The one way to turn anything thrown into text for a message. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/** Exit codes of the CLI and the action (docs/cli.md). */
export const ExitCode = {
  ok: 0,
  gapsOrFailures: 1,
  usage: 2,
  quotaExhausted: 3,
  runFailed: 4,
} as const;

/** A bad flag, input, season spec or config value: exit 2, the message names the bad thing. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The API's monthly quota is spent (or would dip into the reserve): exit 3. */
export class QuotaExhaustedError extends Error {
  override name = 'QuotaExhaustedError';
}

/**
 * The run could not see what it had to: the lake, the catalog, the checkpoints or Athena could not be reached or
 * read (exit 4). The message names the service and the bucket or table, and the likely remedy; such a run never
 * reports "complete" or "gaps found".
 */
export class RunFailedError extends Error {
  override name = 'RunFailedError';
}

/** Maps an error to the process exit code. */
export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return ExitCode.usage;
  if (e instanceof QuotaExhaustedError) return ExitCode.quotaExhausted;
  if (e instanceof RunFailedError) return ExitCode.runFailed;
  return ExitCode.gapsOrFailures;
}
