// What the controller reads about a cluster's world from the caches: certificate readiness and
// revisions, the StatefulSet's rollout state. Pure functions over cached objects.

export interface CertificateObservation {
  role: string;
  name: string;
  secretName: string;
  ready: boolean;
  reason: string;
  revision?: number;
  notAfter?: string;
  renewalTime?: string;
}

interface CertificateObject {
  metadata: { name: string };
  spec?: { secretName?: string };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    revision?: number;
    notAfter?: string;
    renewalTime?: string;
  };
}

export function observeCertificate(
  role: string,
  name: string,
  cert: CertificateObject | undefined,
): CertificateObservation {
  if (!cert) return { role, name, secretName: '', ready: false, reason: 'not created yet' };
  const ready = cert.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    role,
    name,
    secretName: cert.spec?.secretName ?? '',
    ready: ready?.status === 'True',
    reason: ready ? `${ready.reason ?? ''}${ready.message ? `: ${ready.message}` : ''}` : 'not issued yet',
    ...(cert.status?.revision !== undefined ? { revision: cert.status.revision } : {}),
    ...(cert.status?.notAfter ? { notAfter: cert.status.notAfter } : {}),
    ...(cert.status?.renewalTime ? { renewalTime: cert.status.renewalTime } : {}),
  };
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
