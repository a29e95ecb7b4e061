// Writes each NatsUser's conditions (member-status.ts) when they changed, with an Event when a user
// becomes Degraded or recovers: a tenant reads why its NatsUser is left out of the cluster, or why
// its certificate is not issued, on its own resource. NatsAccounts have their own controller
// (controllers/natsaccount), the only writer of their status.
import type { NatsCluster } from '../../api/index.ts';
import type { ClusterMembers } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import type { NatsClusterWatches } from './controller.ts';
import { writeStatus } from './status-writer.ts';
import { memberStatus, type UserCertificate } from './member-status.ts';

type Context = ControllerContext<NatsClusterWatches>;

export async function writeMemberStatuses(
  ctx: Context,
  cluster: NatsCluster,
  members: ClusterMembers,
  userCertificates: Map<string, UserCertificate>,
): Promise<void> {
  const ns = cluster.metadata.namespace ?? 'default';
  const now = new Date().toISOString();
  const leftOut = members.excluded
    .filter((e) => e.kind === 'NatsUser')
    .map((e) => ctx.readers.users.get(e.name, ns))
    .filter((u) => u !== undefined);
  for (const user of [...members.users, ...leftOut]) {
    const exclusion = members.excluded.find((e) => e.kind === 'NatsUser' && e.name === user.metadata.name);
    const certificate = userCertificates.get(user.metadata.name);
    const status = memberStatus(user, cluster.metadata.name, exclusion, certificate, now);
    await writeStatus(ctx, 'NatsUser', user, status, ['Degraded']);
  }
}
