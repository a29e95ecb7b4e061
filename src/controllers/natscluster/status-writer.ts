// Writes a resource's status only when it changed (with Stalled mirroring Degraded, for kstatus),
// and records an Event when one of the named conditions flips (a first Degraded=False is no news). Used for the NatsCluster, its users, and by
// the NatsAccount controller for accounts. Never with a secret: messages carry names and reasons.
import type { Condition } from '../../api/index.ts';
import { classify } from '../../k8s/errors.ts';
import type { EventTarget } from '../../k8s/events.ts';
import type { ControllerContext, Watches } from '../../runtime/controller.ts';
import { findCondition, sameJson, withStalled } from '../../status/conditions.ts';

export const asEventTarget = (o: { metadata: EventTarget['metadata'] }, kind: string): EventTarget => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind,
  metadata: o.metadata,
});

interface WithStatus {
  metadata: EventTarget['metadata'] & { name: string };
  status?: { conditions?: Condition[] };
}

export async function writeStatus(
  ctx: Pick<ControllerContext<Watches>, 'kube' | 'events' | 'log'>,
  kind: 'NatsCluster' | 'NatsAccount' | 'NatsUser',
  resource: WithStatus,
  status: { conditions?: Condition[] },
  announced: string[],
  /** Patch only these fields of the status (another controller writes the others). */
  only?: string[],
): Promise<void> {
  // Every kind gets Stalled beside Degraded here, the one place all three statuses are written.
  if (status.conditions) status = { ...status, conditions: withStalled(status.conditions) };
  if (sameJson(status, resource.status ?? {})) return;
  const body = only
    ? Object.fromEntries(Object.entries(status).filter(([field]) => only.includes(field)))
    : status;
  const ns = resource.metadata.namespace ?? 'default';
  const plural = `${kind.toLowerCase()}s`;
  try {
    await ctx.kube.patchStatus('natswarden.io', 'v1alpha1', plural, ns, resource.metadata.name, body);
  } catch (error) {
    if (classify(error) === 'NotFound') return;
    throw error;
  }
  for (const type of announced) {
    const before = findCondition(resource.status?.conditions, type);
    const after = findCondition(status.conditions, type);
    if (!after || before?.status === after.status) continue;
    if (type === 'Degraded' && after.status === 'False' && !before) continue;
    const warning = (type === 'Degraded') === (after.status === 'True');
    await ctx.events.record(
      asEventTarget(resource, kind),
      warning ? 'Warning' : 'Normal',
      after.reason,
      after.message,
    );
    ctx.log.info(
      {
        [kind]: `${ns}/${resource.metadata.name}`,
        condition: type,
        status: after.status,
        reason: after.reason,
      },
      'condition changed',
    );
  }
}
