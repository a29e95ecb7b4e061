// The health-gated roll, as a pure decision over what the cluster shows right now (ADR 5): the
// StatefulSet's partition and revisions, each pod's revision and readiness. The reconciler applies
// the partition it returns and, for a `check`, asks the pod's monitoring endpoints before stepping.
// Nothing is remembered between reconciles, so an operator restarted mid-roll carries on.

export interface PodView {
  name: string;
  ordinal: number;
  revision?: string;
  ready: boolean;
  podIP?: string;
  /** When the pod (this incarnation) was created, RFC 3339. */
  createdAt?: string;
  restarts: number;
}

export interface StatefulSetView {
  exists: boolean;
  replicas: number;
  partition: number;
  templateHash?: string;
  updateRevision?: string;
  /** Whether every server was confirmed healthy for this revision and these certificates. */
  verified: boolean;
}

export type RollDecision =
  | { kind: 'idle'; partition: 0 }
  | { kind: 'start'; partition: number }
  | { kind: 'wait'; partition: number; pod: string; reason: string; stuck: boolean }
  | { kind: 'check'; partition: number; pod: PodView }
  | { kind: 'verify'; partition: 0; pods: PodView[] };

export function ordinalOf(podName: string): number {
  return Number(/-(\d+)$/.exec(podName)?.[1] ?? -1);
}

/**
 * @param desiredHash the template hash of the StatefulSet about to be applied
 * @param timeoutMs how long a replaced pod may stay unready before the roll is declared stuck
 */
export function planRoll(
  sts: StatefulSetView,
  desiredHash: string,
  pods: PodView[],
  now: number,
  timeoutMs: number,
): RollDecision {
  if (!sts.exists) return { kind: 'idle', partition: 0 };
  if (sts.templateHash !== desiredHash) return { kind: 'start', partition: Math.max(sts.replicas - 1, 0) };
  const updated = (p: PodView | undefined) =>
    !!p && !!sts.updateRevision && p.revision === sts.updateRevision;
  const byOrdinal = new Map(pods.map((p) => [p.ordinal, p]));
  const waitOn = (pod: PodView | undefined, ordinal: number): RollDecision => {
    const name = pod?.name ?? `ordinal ${ordinal}`;
    if (!pod || !updated(pod))
      return {
        kind: 'wait',
        partition: sts.partition,
        pod: name,
        reason: 'being replaced with the new revision',
        stuck: false,
      };
    const age = pod.createdAt ? now - Date.parse(pod.createdAt) : 0;
    const stuck = age > timeoutMs || pod.restarts > 0;
    const reason =
      pod.restarts > 0
        ? `not ready and restarted ${pod.restarts} times`
        : `not ready after ${Math.round(age / 1000)} s`;
    return { kind: 'wait', partition: sts.partition, pod: name, reason, stuck };
  };
  if (sts.partition === 0) {
    // Every pod should run the new revision: wait for the first that does not, else confirm them all once.
    const all = Array.from({ length: sts.replicas }, (_, i) => byOrdinal.get(i));
    const first = all.findIndex((p) => !updated(p) || !p?.ready);
    if (first >= 0) return waitOn(all[first], first);
    return sts.verified
      ? { kind: 'idle', partition: 0 }
      : { kind: 'verify', partition: 0, pods: all as PodView[] };
  }
  const pod = byOrdinal.get(sts.partition);
  return updated(pod) && pod?.ready
    ? { kind: 'check', partition: sts.partition, pod }
    : waitOn(pod, sts.partition);
}

/** The partition after a successful health check of the pod at the current one. */
export const nextPartition = (partition: number) => Math.max(partition - 1, 0);
