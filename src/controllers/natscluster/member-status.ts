// The conditions the cluster controller writes on its members until NatsAccount and NatsUser have
// controllers of their own. Degraded says why a member is left out of the cluster (membership.ts,
// naming the field and any other resource) or why its client certificate is not issued
// (issuance.ts); CertificateReady is written for users with a client certificate. Pure.
import type { NatsAccount, NatsUser } from '../../api/index.ts';
import type { Exclusion } from '../../render/index.ts';
import { setConditions, type ConditionUpdate } from '../../status/conditions.ts';
import type { Readiness } from '../user-status.ts';
import type { IssuanceProblem } from './issuance.ts';

export interface UserCertificate {
  problem?: IssuanceProblem;
  issued: boolean;
}

const cond = (type: string, ok: boolean, reason: string, message: string): ConditionUpdate => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message,
});
const degraded = (reason: string, message: string) => cond('Degraded', true, reason, message);
const fine = cond('Degraded', false, 'AsExpected', 'no problem found');

export function memberStatus<T extends NatsAccount | NatsUser>(
  member: T,
  clusterName: string,
  exclusion: Exclusion | undefined,
  certificate: UserCertificate | undefined,
  now: string,
): NonNullable<T['status']> {
  const updates: ConditionUpdate[] = [];
  if (exclusion)
    updates.push(degraded(exclusion.reason, `left out of NatsCluster ${clusterName}: ${exclusion.message}`));
  else if (certificate?.problem)
    updates.push(degraded(certificate.problem.reason, certificate.problem.message));
  else updates.push(fine);
  if (certificate)
    updates.push(
      certificate.problem
        ? cond('CertificateReady', false, certificate.problem.reason, certificate.problem.message)
        : certificate.issued
          ? cond('CertificateReady', true, 'Issued', 'the client certificate is issued')
          : cond('CertificateReady', false, 'Issuing', 'cert-manager is issuing the client certificate'),
    );
  return {
    ...(member.status ?? {}),
    conditions: setConditions(member.status?.conditions, updates, now, member.metadata.generation),
  } as NonNullable<T['status']>;
}

/**
 * A user's conditions (memberStatus's, and Ready) and the generation they describe: observedGeneration,
 * since kstatus reads a stale Ready as current unless the status says which generation it describes.
 * Whichever controller writes the user's status (user-status.ts) builds it here.
 */
export function memberUserStatus(
  user: NatsUser,
  clusterName: string,
  exclusion: Exclusion | undefined,
  certificate: UserCertificate | undefined,
  ready: Readiness,
  now: string,
): NonNullable<NatsUser['status']> {
  const base = memberStatus(user, clusterName, exclusion, certificate, now);
  return {
    ...base,
    observedGeneration: user.metadata.generation,
    conditions: setConditions(
      base.conditions,
      [{ type: 'Ready', status: ready.ok ? 'True' : 'False', reason: ready.reason, message: ready.message }],
      now,
      user.metadata.generation,
    ),
  };
}
