/** The HTTP status of an Octokit error, or undefined for anything else. */
export function statusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null || !('status' in e)) return undefined;
  return typeof e.status === 'number' ? e.status : undefined;
}

/** The call's result, or undefined when GitHub answers 404 (an absent branch, file or label); other errors throw. */
export async function unless404<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}

/** A label name as the issues API returns it: a string or an object with `name`. */
export function labelName(label: string | { name?: string | null }): string {
  return typeof label === 'string' ? label : (label.name ?? '');
}
