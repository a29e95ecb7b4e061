// Writes a NatsCluster's status only when it changed, and records an Event when Ready or Degraded
// flips (never with a secret: messages carry names and reasons only).
import type { NatsCluster } from '../../api/index.ts';
import { classify } from '../../k8s/errors.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { findCondition, sameJson } from '../../status/conditions.ts';
import type { NatsClusterWatches } from './controller.ts';
import { asEventTarget } from './issuance-step.ts';
import { clusterStatus, type ClusterObservation } from './status.ts';

export async function writeClusterStatus(
  ctx: ControllerContext<NatsClusterWatches>,
  cluster: NatsCluster,
  seen: ClusterObservation,
): Promise<void> {
  const status = clusterStatus(cluster, seen, new Date().toISOString());
  if (sameJson(status, cluster.status ?? {})) return;
  const ns = cluster.metadata.namespace ?? 'default';
  try {
    await ctx.kube.patchStatus(
      'natswarden.io',
      'v1alpha1',
      'natsclusters',
      ns,
      cluster.metadata.name,
      status,
    );
  } catch (error) {
    if (classify(error) === 'NotFound') return;
    throw error;
  }
  for (const type of ['Ready', 'Degraded']) {
    const before = findCondition(cluster.status?.conditions, type);
    const after = findCondition(status.conditions, type);
    const first = !before;
    if (
      !after ||
      before?.status === after.status ||
      (type === 'Degraded' && after.status === 'False' && first)
    )
      continue;
    const warning = (type === 'Degraded') === (after.status === 'True');
    await ctx.events.record(
      asEventTarget(cluster, 'NatsCluster'),
      warning ? 'Warning' : 'Normal',
      after.reason,
      after.message,
    );
    ctx.log.info(
      {
        cluster: `${ns}/${cluster.metadata.name}`,
        condition: type,
        status: after.status,
        reason: after.reason,
      },
      'condition changed',
    );
  }
}
