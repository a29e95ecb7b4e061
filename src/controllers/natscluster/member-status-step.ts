// Writes each member's conditions (member-status.ts) when they changed, with an Event when a member
// becomes Degraded or recovers: a tenant reads why its NatsAccount or NatsUser is left out of the
// cluster, or why its certificate is not issued, on its own resource.
import type { NatsAccount, NatsCluster, NatsUser } from '../../api/index.ts';
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
  const { accounts, users } = ctx.readers;
  const leftOut = <T>(kind: string, reader: { get(name: string, ns?: string): T | undefined }) =>
    members.excluded
      .filter((e) => e.kind === kind)
      .map((e) => reader.get(e.name, ns))
      .filter((r): r is T => r !== undefined);
  const targets: ['NatsAccount' | 'NatsUser', (NatsAccount | NatsUser)[]][] = [
    ['NatsAccount', [...members.accounts, ...leftOut('NatsAccount', accounts)]],
    ['NatsUser', [...members.users, ...leftOut('NatsUser', users)]],
  ];
  for (const [kind, list] of targets) {
    for (const member of list) {
      const exclusion = members.excluded.find((e) => e.kind === kind && e.name === member.metadata.name);
      const certificate = kind === 'NatsUser' ? userCertificates.get(member.metadata.name) : undefined;
      const status = memberStatus(member, cluster.metadata.name, exclusion, certificate, now);
      await writeStatus(ctx, kind, member, status, ['Degraded']);
    }
  }
}
