// The two ways the operator writes down which certificates the servers run, in one place:
// - the pod-template annotation that makes the StatefulSet roll when — and only when — a certificate
//   is re-issued or the trusted CA bundle changes (raw config edits are reloaded, not hashed in:
//   an unrelated edit must not restart every server);
// - the verified key recorded on the StatefulSet once every server was proven to serve them:
//   revision and the notAfter actually served, per role, for one StatefulSet revision.
import { hash } from 'node:crypto';
import type { RenderContext } from './context.ts';

export const TLS_REVISION_ANNOTATION = 'natswarden.io/tls-revision';

export function tlsRevisionAnnotation(context: RenderContext): string {
  const revisions = Object.entries(context.certificateRevisions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([role, revision]) => `${role}=${revision ?? 0}`)
    .join(',');
  const bundle = hash('sha256', context.trustBundle).slice(0, 16);
  return `${revisions};ca=${bundle}`;
}

export interface ServedCertificate {
  revision?: number;
  notAfter?: string;
}

/** The StatefulSet revision and certificates the servers were proven to serve (roll-step.ts). */
export function servedCertificatesKey(
  updateRevision: string | undefined,
  served: { server?: ServedCertificate; routes?: ServedCertificate },
): string {
  const one = (c: ServedCertificate | undefined) => `${c?.revision ?? 0}@${c?.notAfter ?? ''}`;
  return `${updateRevision ?? ''};server=${one(served.server)};routes=${one(served.routes)}`;
}
