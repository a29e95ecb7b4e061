// API errors sorted the way a reconciler acts on them: temporary (retry with backoff), conflict
// (re-read and retry soon), not found, or permanent (report in status; retrying will not help).
import { ApiException } from '@kubernetes/client-node';

export type ErrorClass = 'NotFound' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Temporary';

export function classify(error: unknown): ErrorClass {
  const code =
    error instanceof ApiException ? error.code : ((error as { code?: unknown })?.code as number | undefined);
  if (code === 404) return 'NotFound';
  if (code === 409) return 'Conflict';
  if (code === 400 || code === 422) return 'Invalid';
  if (code === 401 || code === 403) return 'Forbidden';
  return 'Temporary';
}

export const isNotFound = (error: unknown) => classify(error) === 'NotFound';

/** The API server's own message (`Status.message`), for conditions and logs. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body = typeof error.body === 'string' ? safeParse(error.body) : error.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' ? message : `HTTP ${error.code}`;
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
