// The pod-template annotation that makes the StatefulSet roll when — and only when — a certificate
// is re-issued or the trusted CA bundle changes. Raw config edits are not hashed in: they are
// reloaded, and an unrelated edit must not restart every server.
import { createHash } from 'node:crypto';
import type { RenderContext } from './context.ts';

export const TLS_REVISION_ANNOTATION = 'natswarden.io/tls-revision';

export function tlsRevisionAnnotation(context: RenderContext): string {
  const revisions = Object.entries(context.certificateRevisions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, revision]) => `${role}=${revision ?? 0}`)
    .join(',');
  const bundle = createHash('sha256').update(context.trustBundle).digest('hex').slice(0, 16);
  return `${revisions};ca=${bundle}`;
}
