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
  const excluded = (kind: string, name: string) =>
    members.excluded.find((e) => e.kind === kind && e.name === name);
  const leftOut = (kind: 'NatsAccount' | 'NatsUser') =>
    members.excluded
      .filter((e) => e.kind === kind)
      .map((e) => (kind === 'NatsAccount' ? ctx.readers.accounts : ctx.readers.users).get(e.name, ns))
      .filter((r): r is NatsAccount & NatsUser => r !== undefined);
  for (const account of [...members.accounts, ...leftOut('NatsAccount')]) {
    const status = memberStatus(
      account,
      cluster.metadata.name,
      excluded('NatsAccount', account.metadata.name),
      undefined,
      now,
    );
    await write(ctx, 'natsaccounts', 'NatsAccount', account, status);
  }
  for (const user of [...members.users, ...leftOut('NatsUser')]) {
    const certificate = userCertificates.get(user.metadata.name);
    const status = memberStatus(
      user,
      cluster.metadata.name,
      excluded('NatsUser', user.metadata.name),
      certificate,
      now,
    );
    await write(ctx, 'natsusers', 'NatsUser', user, status);
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
