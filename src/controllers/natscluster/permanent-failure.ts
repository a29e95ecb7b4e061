// Errors that retrying cannot fix until the resource or a child changes: a render error (the spec
// asks for something the renderer refuses) and an object the API server refuses for good (422
// Invalid, 403 Forbidden). They become a Degraded condition that quotes the message, which names
// the field; anything else is temporary and retried with backoff.
import { apiMessage, isPermanent } from '../../k8s/errors.ts';
import { RenderError } from '../../render/index.ts';

export interface PermanentFailure {
  reason: 'InvalidSpec' | 'ApplyRejected';
  message: string;
}

/** `object` names what was being applied (`StatefulSet/x`), if anything. */
export function permanentFailure(error: unknown, object?: string): PermanentFailure | undefined {
  if (error instanceof RenderError) return { reason: 'InvalidSpec', message: error.message };
  if (isPermanent(error))
    return {
      reason: 'ApplyRejected',
      message: `${object ?? 'an object'} was refused by the API server: ${apiMessage(error)}`,
    };
  return undefined;
}
