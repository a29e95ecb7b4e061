// Writes each member's conditions (member-status.ts) when they changed, with an Event when a member
// becomes Degraded or recovers: a tenant reads why its NatsAccount or NatsUser is left out of the
// cluster, or why its certificate is not issued, on its own resource.
import type { NatsAccount, NatsCluster, NatsUser } from '../../api/index.ts';
import { classify } from '../../k8s/errors.ts';
import type { ClusterMembers } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { findCondition, sameJson } from '../../status/conditions.ts';
import type { NatsClusterWatches } from './controller.ts';
import { asEventTarget } from './issuance-step.ts';
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
  const targets: [string, string, (NatsAccount | NatsUser)[]][] = [
    ['NatsAccount', 'natsaccounts', [...members.accounts, ...leftOut('NatsAccount', accounts)]],
    ['NatsUser', 'natsusers', [...members.users, ...leftOut('NatsUser', users)]],
  ];
  for (const [kind, plural, list] of targets) {
    for (const member of list) {
      const exclusion = members.excluded.find((e) => e.kind === kind && e.name === member.metadata.name);
      const certificate = kind === 'NatsUser' ? userCertificates.get(member.metadata.name) : undefined;
      const status = memberStatus(member, cluster.metadata.name, exclusion, certificate, now);
      await write(ctx, plural, kind, member, status);
    }
  }
}

async function write(
  ctx: Context,
  plural: string,
  kind: string,
  member: NatsAccount | NatsUser,
  status: NonNullable<(NatsAccount | NatsUser)['status']>,
): Promise<void> {
  if (sameJson(status, member.status ?? {})) return;
  const ns = member.metadata.namespace ?? 'default';
  try {
    await ctx.kube.patchStatus('natswarden.io', 'v1alpha1', plural, ns, member.metadata.name, status);
  } catch (error) {
    if (classify(error) === 'NotFound') return;
    throw error;
  }
  const before = findCondition(member.status?.conditions, 'Degraded');
  const after = findCondition(status.conditions, 'Degraded');
  if (after && before?.status !== after.status && (before || after.status === 'True'))
    await ctx.events.record(
      asEventTarget(member, kind),
      after.status === 'True' ? 'Warning' : 'Normal',
      after.reason,
      after.message,
    );
}
