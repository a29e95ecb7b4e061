// What the controller reads about a cluster's world from the caches: certificate readiness and
// revisions, the StatefulSet's rollout state. Pure functions over cached objects.
import { X509Certificate } from 'node:crypto';
import type { Certificate } from '../../api/cert-manager.ts';

export interface CertificateObservation {
  role: string;
  name: string;
  secretName: string;
  ready: boolean;
  reason: string;
  revision?: number;
  notAfter?: string;
  renewalTime?: string;
  /**
   * notAfter of the certificate in the Secret, the one the servers mount. cert-manager bumps
   * status.revision when it writes the Secret but sets status.notAfter later (readiness
   * controller), so status alone can pair a new revision with the old expiry.
   */
  issuedNotAfter?: string;
}

/**
 * A certificate counts as issued only when cert-manager says Ready, has recorded the revision and
 * the Secret holds a certificate. cert-manager's readiness controller can set Ready a moment before
 * the issuing controller records status.revision; a workload rendered in that moment would carry
 * revision 0 in its pod template and roll every server as soon as revision 1 appears.
 */
export function observeCertificate(
  role: string,
  name: string,
  cert: Certificate | undefined,
  secret?: { data?: Record<string, string> },
): CertificateObservation {
  if (!cert) return { role, name, secretName: '', ready: false, reason: 'not created yet' };
  const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
  const issued = issuedNotAfter(secret);
  const revision = cert.status?.revision;
  const complete = revision !== undefined && issued.issuedNotAfter !== undefined;
  return {
    role,
    name,
    secretName: cert.spec?.secretName ?? '',
    ready: ready?.status === 'True' && complete,
    reason: !ready
      ? 'not issued yet'
      : ready.status === 'True' && !complete
        ? 'issued; waiting for cert-manager to record the revision'
        : `${ready.reason ?? ''}${ready.message ? `: ${ready.message}` : ''}`,
    ...(revision !== undefined ? { revision } : {}),
    ...(cert.status?.notAfter ? { notAfter: cert.status.notAfter } : {}),
    ...(cert.status?.renewalTime ? { renewalTime: cert.status.renewalTime } : {}),
    ...issued,
  };
}

function issuedNotAfter(secret: { data?: Record<string, string> } | undefined): { issuedNotAfter?: string } {
  const pem = secret?.data?.['tls.crt'];
  if (!pem) return {};
  try {
    const validTo = new X509Certificate(Buffer.from(pem, 'base64')).validTo;
    return { issuedNotAfter: new Date(validTo).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  } catch {
    return {}; // not a certificate (yet): cert-manager will rewrite it
  }
}

export interface RolloutObservation {
  exists: boolean;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  rolledOut: boolean;
}

interface StatefulSetObject {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

export function observeRollout(
  sts: StatefulSetObject | undefined,
  desiredReplicas: number,
): RolloutObservation {
  if (!sts)
    return {
      exists: false,
      replicas: desiredReplicas,
      readyReplicas: 0,
      updatedReplicas: 0,
      rolledOut: false,
    };
  const status = sts.status ?? {};
  const readyReplicas = status.readyReplicas ?? 0;
  const updatedReplicas = status.updatedReplicas ?? 0;
  const current = status.observedGeneration === sts.metadata?.generation;
  const sameRevision = !status.updateRevision || status.currentRevision === status.updateRevision;
  return {
    exists: true,
    replicas: desiredReplicas,
    readyReplicas,
    updatedReplicas,
    rolledOut:
      current && sameRevision && updatedReplicas >= desiredReplicas && readyReplicas >= desiredReplicas,
  };
}
