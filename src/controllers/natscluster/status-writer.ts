// Writes a resource's status only when it changed (with Stalled mirroring Degraded, for kstatus),
// and records an Event when one of the named conditions flips (announcement, below). Used for the NatsCluster, its users, and by
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
  metadata: EventTarget['metadata'] & { name: string; resourceVersion?: string };
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
  /** Fields this writer owns that the status may no longer have: removed (a merge patch keeps what it does not name). */
  clear: string[] = [],
  /**
   * Patch only the resource as it was read (its resourceVersion), for a writer of the whole status:
   * from a cache that has not seen its last write yet, it would write the same status again with new
   * transition times. A later resource refuses the patch: 'conflict' is returned, to look again.
   */
  guarded = false,
): Promise<'written' | 'unchanged' | 'conflict'> {
  // Every kind gets Stalled beside Degraded here, the one place all three statuses are written.
  if (status.conditions) status = { ...status, conditions: withStalled(status.conditions) };
  if (sameJson(status, resource.status ?? {})) return 'unchanged';
  const kept = only
    ? Object.fromEntries(Object.entries(status).filter(([field]) => only.includes(field)))
    : status;
  const gone = clear.filter(
    (field) =>
      (status as Record<string, unknown>)[field] === undefined &&
      (resource.status as Record<string, unknown> | undefined)?.[field] !== undefined,
  );
  const body = { ...Object.fromEntries(gone.map((field) => [field, null])), ...kept };
  const ns = resource.metadata.namespace ?? 'default';
  const plural = `${kind.toLowerCase()}s`;
  try {
    await ctx.kube.patchStatus(
      'natswarden.io',
      'v1alpha1',
      plural,
      ns,
      resource.metadata.name,
      body,
      guarded ? resource.metadata.resourceVersion : undefined,
    );
  } catch (error) {
    const kind = classify(error);
    if (kind === 'NotFound') return 'unchanged';
    if (kind === 'Conflict' && guarded) return 'conflict';
    throw error;
  }
  for (const type of announced) {
    const after = findCondition(status.conditions, type);
    const event = announcement(type, findCondition(resource.status?.conditions, type), after);
    if (!event || !after) continue;
    await ctx.events.record(asEventTarget(resource, kind), event, after.reason, after.message);
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
  return 'written';
}

/**
 * The Event a condition's change is worth, if any: a flip of Ready or Degraded, a Warning when it
 * went bad. A resource's first condition is no change, so no news, unless it says something is
 * wrong: all is well (Degraded=False), Ready at once (a new user whose first status is its
 * Secret's, ADR 15), or work under way (Ready=False for a *Pending reason). Ten thousand new users
 * made ten thousand Events each way, every one an API request, in a cold start
 * (docs/benchmarks.md).
 */
export function announcement(
  type: string,
  before: Condition | undefined,
  after: Condition | undefined,
): 'Warning' | 'Normal' | undefined {
  if (!after || before?.status === after.status) return undefined;
  if (!before && type === 'Degraded' && after.status === 'False') return undefined;
  if (!before && type === 'Ready' && after.status === 'True') return undefined;
  if (!before && type === 'Ready' && after.status === 'False' && after.reason.endsWith('Pending'))
    return undefined;
  return (type === 'Degraded') === (after.status === 'True') ? 'Warning' : 'Normal';
}
