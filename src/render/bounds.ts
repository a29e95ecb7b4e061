// Values the schema admits but nats-server would refuse, often only when a server starts (which
// `nats-server -t` does not check): a payload above the pending limit or 64 MiB, sizes and
// durations beyond what it parses. Checked before anything is rendered, each naming its field.
// Pure.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { durationToSeconds, quantityToBytes } from './units.ts';

/** nats-server's hard limit on max_payload (MAX_PAYLOAD_MAX_SIZE) and its max_pending default. */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** An int64 of bytes, kept within JavaScript's exact integers. */
const MAX_SIZE_BYTES = Number.MAX_SAFE_INTEGER;
/** Go's time.Duration is int64 nanoseconds: about 2,562,047 hours. */
const MAX_DURATION_SECONDS = 2_562_047 * 3600;

function sizeProblem(field: string, quantity: string | undefined, max = MAX_SIZE_BYTES): string[] {
  if (quantity === undefined) return [];
  const bytes = quantityToBytes(quantity);
  return Number.isSafeInteger(bytes) && bytes <= max
    ? []
    : [`${field}: ${quantity} is above the limit of ${max} bytes`];
}

function durationProblem(field: string, duration: string | undefined): string[] {
  if (duration === undefined || durationToSeconds(duration) <= MAX_DURATION_SECONDS) return [];
  return [`${field}: ${duration} is longer than nats-server can express (about 292 years)`];
}

export function clusterBoundsProblems(cluster: NatsCluster): string[] {
  const { limits, lameDuck, tls } = cluster.spec;
  const problems = [
    ...sizeProblem('spec.limits.maxPayload', limits.maxPayload, MAX_PAYLOAD_BYTES),
    ...sizeProblem('spec.limits.maxPending', limits.maxPending),
    ...sizeProblem('spec.limits.maxControlLine', limits.maxControlLine, 2 ** 31 - 1),
    ...durationProblem('spec.limits.pingInterval', limits.pingInterval),
    ...durationProblem('spec.limits.writeDeadline', limits.writeDeadline),
    ...durationProblem('spec.lameDuck.duration', lameDuck.duration),
    ...durationProblem('spec.lameDuck.gracePeriod', lameDuck.gracePeriod),
    ...durationProblem('spec.tls.client.timeout', tls.client.timeout),
    ...durationProblem('spec.tls.client.handshakeFirstFallback', tls.client.handshakeFirstFallback),
    ...durationProblem('spec.tls.duration', tls.duration),
    ...durationProblem('spec.tls.renewBefore', tls.renewBefore),
  ];
  if (problems.length === 0 && limits.maxPayload !== undefined) {
    const pending =
      limits.maxPending === undefined ? DEFAULT_MAX_PENDING_BYTES : quantityToBytes(limits.maxPending);
    if (quantityToBytes(limits.maxPayload) > pending)
      problems.push(
        `spec.limits.maxPayload: ${limits.maxPayload} is above spec.limits.maxPending (${limits.maxPending ?? '64Mi by default'}); nats-server refuses to start`,
      );
  }
  return problems;
}

/** The first out-of-bounds value of an account, if any (a NatsAccount is left out for it). */
export function accountBoundsProblem(account: NatsAccount): string | undefined {
  const { limits, jetstream } = account.spec;
  return [
    ...sizeProblem('spec.limits.maxPayload', limits?.maxPayload, MAX_PAYLOAD_BYTES),
    ...sizeProblem('spec.limits.maxData', limits?.maxData),
    ...sizeProblem('spec.jetstream.maxMemory', jetstream?.maxMemory),
    ...sizeProblem('spec.jetstream.maxStorage', jetstream?.maxStorage),
  ][0];
}

/** The first out-of-bounds value of a user, if any. */
export function userBoundsProblem(user: NatsUser): string | undefined {
  const { limits, permissions } = user.spec;
  return [
    ...sizeProblem('spec.limits.maxPayload', limits?.maxPayload, MAX_PAYLOAD_BYTES),
    ...sizeProblem('spec.limits.maxData', limits?.maxData),
    ...durationProblem('spec.permissions.allowResponses.expires', permissions?.allowResponses?.expires),
  ][0];
}
