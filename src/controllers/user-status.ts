// A NatsUser's Ready condition, and which controller writes a user's status. Pure.
//
// One writer per user status (ADR 15): a JWT-mode Creds user that is a member of its cluster and
// needs no client certificate is the NatsUser controller's alone. It signs the user, writes the
// Secret, and in one status patch writes what it signed (publicKey, expiresAt) and the conditions.
// Every other user (Config mode, client certificates, left out of the cluster) is written by the
// cluster controller, which holds what their Ready depends on (the servers' loading, cert-manager's
// issuance, the membership decision). Two writers per user made three status patches per new user
// (the NatsUser controller's facts, then the cluster controller's SecretPending and
// CredentialsReady), the largest share of a cold start's API requests (docs/benchmarks.md, run M).
import type { V1Secret } from '@kubernetes/client-node';
import { credentialsSecretNameOf, type NatsCluster, type NatsUser } from '../api/index.ts';
import { needsClientCertificate } from '../render/user-credentials.ts';
import { PUBLIC_KEY_ANNOTATION, SIGNED_GENERATION_ANNOTATION } from './natsuser/plan.ts';
import { loadedEverywhere, type UserLoading } from './natscluster/user-loading.ts';

/**
 * Whether the NatsUser controller writes this member's whole status; the cluster controller writes
 * it otherwise (and always for a user left out of the cluster, whichever its kind).
 */
export const statusWrittenByUserController = (cluster: NatsCluster, user: NatsUser): boolean =>
  cluster.spec.auth.mode === 'JWT' &&
  user.spec.authType === 'Creds' &&
  !needsClientCertificate(user, cluster);

export interface Readiness {
  ok: boolean;
  reason: string;
  message: string;
}

export interface ReadinessInput {
  cluster: NatsCluster;
  user: NatsUser;
  /** The user's credentials Secret as last seen (the cache holds only the operator's labelled Secrets). */
  secret: V1Secret | undefined;
  certificate: { issued: boolean } | undefined;
  loading: UserLoading;
}

/**
 * Ready: the user's credentials Secret holds its credential (and its client certificate is issued);
 * in Config mode, every server has also loaded the user's entry, as each server reports
 * (user-loading.ts), so a client given the Secret connects to any server at once.
 */
export function userReadiness({ cluster, user, secret, certificate, loading }: ReadinessInput): Readiness {
  const name = credentialsSecretNameOf(user);
  const owned = secret?.metadata?.ownerReferences?.some((ref) => ref.uid === user.metadata.uid);
  const jwt = cluster.spec.auth.mode === 'JWT';
  // A Creds Secret is the NatsUser controller's: ready once it carries the key it signed.
  if (secret && !owned)
    return {
      ok: false,
      reason: 'SecretConflict',
      message: `Secret ${name} exists and is not this NatsUser's: it is left as it is; set spec.secretName to another name`,
    };
  const annotations = secret?.metadata?.annotations ?? {};
  const written = owned && (!jwt || !!annotations[PUBLIC_KEY_ANNOTATION]);
  if (!written)
    return {
      ok: false,
      reason: 'SecretPending',
      message: `Secret ${name} is not written yet (a Secret of that name that is not this NatsUser's is never overwritten)`,
    };
  // JWT mode: the NatsUser controller signs; until it has signed this generation, the status's
  // observedGeneration would claim a change is in effect that the creds do not carry yet.
  if (jwt && annotations[SIGNED_GENERATION_ANNOTATION] !== String(user.metadata.generation ?? 0))
    return {
      ok: false,
      reason: 'SigningPending',
      message: `Secret ${name} holds creds signed for an earlier generation of this NatsUser`,
    };
  if (certificate && !certificate.issued)
    return { ok: false, reason: 'CertificatePending', message: 'the client certificate is not issued yet' };
  if (loading === undefined)
    return { ok: true, reason: 'CredentialsReady', message: `Secret ${name} holds the credentials` };
  if (loading === 'unconfirmed')
    return {
      ok: true,
      reason: 'Configured',
      message: `Secret ${name} holds the credentials and the user is in the applied configuration; monitoring is off (NatsCluster ${cluster.metadata.name} spec.monitoring.enabled: false), so no server was asked whether it has loaded it (/accountz)`,
    };
  const load = loading.loads.get(user.metadata.name);
  if (load && loadedEverywhere(loading, user.metadata.name))
    return {
      ok: true,
      reason: 'Loaded',
      message: `Secret ${name} holds the credentials and all ${load.loaded} servers have loaded the user (/accountz)`,
    };
  return {
    ok: false,
    reason: 'Loading',
    message: loading.failed
      ? `the servers' configuration cannot be rendered yet: ${loading.failed}`
      : `${load?.loaded ?? 0} of ${loading.replicas} servers have loaded the user (${load?.answered ?? 0} answered /accountz)`,
  };
}
