// Writes each NatsUser's conditions (member-status.ts) when they changed, with an Event when a user
// becomes Degraded or recovers: a tenant reads why its NatsUser is left out of the cluster, or why
// its certificate is not issued, on its own resource. NatsAccounts have their own controller
// (controllers/natsaccount), the only writer of their status.
import { credentialsSecretNameOf, type NatsCluster, type NatsUser } from '../../api/index.ts';
import { setConditions } from '../../status/conditions.ts';
import { PUBLIC_KEY_ANNOTATION, SIGNED_GENERATION_ANNOTATION } from '../natsuser/plan.ts';
import type { ClusterMembers } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import type { NatsClusterWatches } from './controller.ts';
import { writeStatus } from './status-writer.ts';
import { forEachBounded } from '../../runtime/bounded.ts';
import { memberStatus, type UserCertificate } from './member-status.ts';
import { loadedEverywhere, type UserLoading } from './user-loading.ts';

type Context = ControllerContext<NatsClusterWatches>;

export async function writeMemberStatuses(
  ctx: Context,
  cluster: NatsCluster,
  members: ClusterMembers,
  userCertificates: Map<string, UserCertificate>,
  loading: UserLoading,
): Promise<void> {
  const ns = cluster.metadata.namespace ?? 'default';
  const now = new Date().toISOString();
  const leftOut = members.excluded
    .filter((e) => e.kind === 'NatsUser')
    .map((e) => ctx.readers.users.get(e.name, ns))
    .filter((u) => u !== undefined);
  // Up to WRITES_AT_ONCE patches in flight: ten thousand users one after another kept a single
  // reconcile running for many minutes (each write waits on the API server, not on this process).
  await forEachBounded([...members.users, ...leftOut], WRITES_AT_ONCE, async (user) => {
    const exclusion = members.excluded.find((e) => e.kind === 'NatsUser' && e.name === user.metadata.name);
    const certificate = userCertificates.get(user.metadata.name);
    const base = memberStatus(user, cluster.metadata.name, exclusion, certificate, now);
    const ready = exclusion
      ? { ok: false, reason: exclusion.reason, message: 'left out of the cluster (see Degraded)' }
      : readiness(ctx, cluster, user, certificate, loading);
    // observedGeneration: kstatus reads a stale Ready as current unless the status says which
    // generation it describes.
    const status = {
      ...base,
      observedGeneration: user.metadata.generation,
      conditions: setConditions(
        base.conditions,
        [
          {
            type: 'Ready',
            status: ready.ok ? 'True' : 'False',
            reason: ready.reason,
            message: ready.message,
          },
        ],
        now,
        user.metadata.generation,
      ),
    };
    // Conditions only: publicKey, secretName and expiresAt are the NatsUser controller's (JWT mode).
    await writeStatus(
      ctx,
      'NatsUser',
      user,
      status,
      ['Degraded', 'Ready'],
      ['conditions', 'observedGeneration'],
    );
  });
}

const WRITES_AT_ONCE = 16;

/**
 * Ready: the user's credentials Secret holds its credential (and its client certificate is issued);
 * in Config mode, every server has also loaded the user's entry, as each server reports
 * (user-loading.ts), so a client given the Secret connects to any server at once.
 */
function readiness(
  ctx: Context,
  cluster: NatsCluster,
  user: NatsUser,
  certificate: UserCertificate | undefined,
  loading: UserLoading,
): { ok: boolean; reason: string; message: string } {
  const ns = user.metadata.namespace ?? 'default';
  const name = credentialsSecretNameOf(user);
  const secret = ctx.readers.secrets.get(name, ns);
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

/** Whether some Config-mode user still waits for a server to load it: the reconcile comes back soon. */
export const someUserLoading = (loading: UserLoading, members: ClusterMembers): boolean =>
  typeof loading === 'object' && members.users.some((u) => !loadedEverywhere(loading, u.metadata.name));
