// metav1.Condition bookkeeping: set a condition, keeping lastTransitionTime unless the status flips;
// compare statuses so a status write happens only when something changed. Pure: the caller passes
// the time.
import type { Condition } from '../api/index.ts';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function setCondition(
  conditions: Condition[] | undefined,
  update: ConditionUpdate,
  now: string,
  observedGeneration?: number,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === update.type);
  const previous = index >= 0 ? list[index] : undefined;
  const next: Condition = {
    ...update,
    lastTransitionTime: previous && previous.status === update.status ? previous.lastTransitionTime : now,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

export function setConditions(
  conditions: Condition[] | undefined,
  updates: ConditionUpdate[],
  now: string,
  observedGeneration?: number,
): Condition[] {
  return updates.reduce(
    (list, update) => setCondition(list, update, now, observedGeneration),
    conditions ?? [],
  );
}

export function findCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Deep equality of two JSON values, key order ignored: decides whether a status write is needed. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stable(a) === stable(b);
}

function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A status time (RFC 3339 in whole seconds, as Kubernetes writes them) from Unix milliseconds. */
export const statusTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** statusTime of a Unix time in seconds (JWT claims). */
export const isoSeconds = (unix: number): string => statusTime(unix * 1000);

/**
 * kstatus (sigs.k8s.io/cli-utils, what Flux's health checks and kstatus-based waits compute) reads
 * Ready, Reconciling and Stalled, never Degraded: a resource Degraded on bad input would read as
 * InProgress (its Ready=False) until a timeout. Stalled mirrors Degraded (status, reason, message,
 * transition time), so a resource that cannot progress without a change reads as Failed, saying why
 * (cli-utils v0.37.2 pkg/kstatus/status/generic.go, checkGenericProperties). No Degraded, no Stalled.
 */
export function withStalled(conditions: Condition[]): Condition[] {
  const degraded = findCondition(conditions, 'Degraded');
  const others = conditions.filter((c) => c.type !== 'Stalled');
  if (!degraded) return others;
  // Waiting on another object that is not there yet (GitOps applies a tenant's resources in any
  // order) is not a failure: Flux's wait would give up early on Failed. Stalled=False then.
  const waiting = degraded.status === 'True' && WAITING_ON_ANOTHER.has(degraded.reason);
  return [...others, { ...degraded, type: 'Stalled', ...(waiting ? { status: 'False' } : {}) }];
}

/** Degraded reasons that clear by themselves once another resource appears or recovers. */
const WAITING_ON_ANOTHER = new Set(['ClusterNotFound', 'MissingAccount', 'AccountLeftOut', 'MissingExport']);
