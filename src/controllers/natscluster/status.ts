// The NatsCluster's status from what the reconcile saw: conditions Ready, CertificatesReady,
// ConfigApplied, Progressing, Degraded; replicas; certificates[]. Pure.
import type { NatsCluster } from '../../api/index.ts';
import { setConditions, type ConditionUpdate } from '../../status/conditions.ts';
import type { CertificateObservation, RolloutObservation } from './observe.ts';
import type { RollOutcome } from './roll-step.ts';

export interface ClusterObservation {
  /** Set when the spec or its identities make the cluster impossible to render. */
  degraded?: { reason: string; message: string };
  certificates: CertificateObservation[];
  /** cert-manager cannot issue one of the cluster's certificates (issuance.ts): names it and why. */
  certificateProblem?: { reason: string; message: string };
  configApplied: boolean;
  rollout: RolloutObservation;
  /** The health-gated roll's state; absent before the workload exists. */
  roll?: RollOutcome;
}

const cond = (type: string, ok: boolean, reason: string, message: string): ConditionUpdate => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message,
});

export function clusterStatus(
  cluster: NatsCluster,
  seen: ClusterObservation,
  now: string,
): NonNullable<NatsCluster['status']> {
  const generation = cluster.metadata.generation;
  const certsReady = seen.certificates.length > 0 && seen.certificates.every((c) => c.ready);
  const waitingCerts = seen.certificates.filter((c) => !c.ready).map((c) => `${c.name} (${c.reason})`);
  const { rollout, roll } = seen;
  const blocked = roll?.phase === 'Blocked';
  const degraded =
    seen.degraded ??
    seen.certificateProblem ??
    (blocked
      ? { reason: 'RollBlocked', message: `roll stopped at ${roll.message}; the other servers keep serving` }
      : undefined);
  const settled = !roll || roll.phase === 'Idle';
  const ready = !degraded && certsReady && seen.configApplied && rollout.rolledOut && settled;
  const updates: ConditionUpdate[] = [
    degraded
      ? cond('Degraded', true, degraded.reason, degraded.message)
      : cond('Degraded', false, 'AsExpected', 'no problem found'),
    seen.certificateProblem
      ? cond('CertificatesReady', false, seen.certificateProblem.reason, seen.certificateProblem.message)
      : certsReady
        ? cond('CertificatesReady', true, 'Issued', 'every certificate is issued')
        : cond('CertificatesReady', false, 'Issuing', `waiting for ${waitingCerts.join(', ')}`),
    seen.configApplied
      ? cond('ConfigApplied', true, 'Applied', 'configuration and workload applied')
      : cond(
          'ConfigApplied',
          false,
          certsReady ? 'NotApplied' : 'WaitingForCertificates',
          'the workload is applied once certificates are issued',
        ),
    !rollout.exists
      ? cond('Progressing', false, 'NotStarted', 'no servers yet')
      : settled && rollout.rolledOut
        ? cond('Progressing', false, 'RolledOut', roll?.message ?? 'every server runs the current revision')
        : cond(
            'Progressing',
            true,
            roll?.phase ?? 'RollingOut',
            roll?.message ??
              `${rollout.updatedReplicas}/${rollout.replicas} servers updated, ${rollout.readyReplicas} ready`,
          ),
    ready
      ? cond('Ready', true, 'Ready', `${rollout.readyReplicas}/${rollout.replicas} servers ready`)
      : cond(
          'Ready',
          false,
          degraded ? 'Degraded' : 'NotReady',
          `${rollout.readyReplicas}/${rollout.replicas} servers ready`,
        ),
  ];
  return {
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
    conditions: setConditions(cluster.status?.conditions, updates, now, generation),
    replicas: rollout.replicas,
    readyReplicas: rollout.readyReplicas,
    certificates: seen.certificates.map((c) => ({
      name: c.name,
      secretName: c.secretName,
      ...(c.notAfter ? { notAfter: c.notAfter } : {}),
      ...(c.renewalTime ? { renewalTime: c.renewalTime } : {}),
      ...(c.revision !== undefined ? { revision: c.revision } : {}),
    })),
  };
}
