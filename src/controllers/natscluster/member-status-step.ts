// Writes each NatsUser's conditions (member-status.ts) when they changed, with an Event when a user
// becomes Degraded or recovers: a tenant reads why its NatsUser is left out of the cluster, or why
// its certificate is not issued, on its own resource. A JWT-mode Creds member's status is the
// NatsUser controller's alone (user-status.ts). NatsAccounts have their own controller
// (controllers/natsaccount), the only writer of their status.
import { credentialsSecretNameOf, type NatsCluster } from '../../api/index.ts';
import type { ClusterMembers } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { statusWrittenByUserController, userReadiness, type Readiness } from '../user-status.ts';
import type { NatsClusterWatches } from './controller.ts';
import { writeStatus } from './status-writer.ts';
import { forEachBounded } from '../../runtime/bounded.ts';
import { memberUserStatus, type UserCertificate } from './member-status.ts';
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
  // A member whose status the NatsUser controller writes (user-status.ts) is not written here.
  const written = [...members.users.filter((u) => !statusWrittenByUserController(cluster, u)), ...leftOut];
  await forEachBounded(written, WRITES_AT_ONCE, async (user) => {
    const exclusion = members.excluded.find((e) => e.kind === 'NatsUser' && e.name === user.metadata.name);
    const certificate = userCertificates.get(user.metadata.name);
    const ready: Readiness = exclusion
      ? { ok: false, reason: exclusion.reason, message: 'left out of the cluster (see Degraded)' }
      : userReadiness({
          cluster,
          user,
          secret: ctx.readers.secrets.get(credentialsSecretNameOf(user), ns),
          certificate,
          loading,
        });
    const status = memberUserStatus(user, cluster.metadata.name, exclusion, certificate, ready, now);
    // Conditions only: publicKey, secretName and expiresAt are the NatsUser controller's.
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

/** Whether some Config-mode user still waits for a server to load it: the reconcile comes back soon. */
export const someUserLoading = (loading: UserLoading, members: ClusterMembers): boolean =>
  typeof loading === 'object' && members.users.some((u) => !loadedEverywhere(loading, u.metadata.name));
