// API errors sorted the way a reconciler acts on them: temporary (retry with backoff), conflict
// (re-read and retry soon), not found, or permanent (report in status; retrying will not help).
// Duck-typed on client-node's ApiException ({ code, body }) so this file loads without the client.

export type ErrorClass = 'NotFound' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Temporary';

export function classify(error: unknown): ErrorClass {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 404) return 'NotFound';
  if (code === 409) return 'Conflict';
  if (code === 400 || code === 422) return 'Invalid';
  if (code === 401 || code === 403) return 'Forbidden';
  return 'Temporary';
}

export const isNotFound = (error: unknown) => classify(error) === 'NotFound';

/** Retrying will not help until something changes: the request is invalid or not allowed. */
export const isPermanent = (error: unknown) => ['Invalid', 'Forbidden'].includes(classify(error));

/** The API server's own message (`Status.message`), for conditions and logs. */
export function apiMessage(error: unknown): string {
  const { code, body: raw } = (error ?? {}) as { code?: unknown; body?: unknown };
  if (typeof code === 'number' && raw !== undefined) {
    const body = typeof raw === 'string' ? safeParse(raw) : raw;
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : `HTTP ${code}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
