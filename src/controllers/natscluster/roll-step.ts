// One reconcile's worth of the health-gated roll: read the StatefulSet and pods from the caches,
// plan (roll.ts), ask the servers' monitoring endpoints when the plan says so, and return the
// partition and verification record to render. The world's state is the only memory.
import type { NatsCluster } from '../../api/index.ts';
import { checkServer, type ServerHealth } from '../../nats/monitor.ts';
import {
  PORTS,
  VERIFIED_ANNOTATION,
  TEMPLATE_HASH_ANNOTATION,
  podFqdn,
  servedCertificatesKey,
} from '../../render/index.ts';
import type { CertificateObservation } from './observe.ts';
import { nextPartition, ordinalOf, planRoll, type PodView } from './roll.ts';

export interface RollOutcome {
  partition: number;
  verifiedKey?: string;
  phase: 'Idle' | 'Rolling' | 'Verifying' | 'Blocked' | 'Waiting';
  message: string;
}

interface StatefulSetLike {
  metadata?: { generation?: number; annotations?: Record<string, string> };
  spec?: { updateStrategy?: { rollingUpdate?: { partition?: number } } };
  status?: { observedGeneration?: number; updateRevision?: string };
}

interface PodLike {
  metadata?: { name?: string; creationTimestamp?: string | Date; labels?: Record<string, string> };
  status?: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: { name: string; restartCount?: number }[];
  };
}

export function podView(pod: PodLike): PodView {
  const name = pod.metadata?.name ?? '';
  const created = pod.metadata?.creationTimestamp;
  return {
    name,
    ordinal: ordinalOf(name),
    revision: pod.metadata?.labels?.['controller-revision-hash'],
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    ...(pod.status?.podIP ? { podIP: pod.status.podIP } : {}),
    ...(created ? { createdAt: new Date(created).toISOString() } : {}),
    restarts: pod.status?.containerStatuses?.find((c) => c.name === 'nats')?.restartCount ?? 0,
  };
}

export interface RollInputs {
  cluster: NatsCluster;
  clusterDomain: string;
  trustBundle: string;
  certificates: CertificateObservation[];
  desiredTemplateHash: string;
  statefulSet: StatefulSetLike | undefined;
  pods: PodLike[];
  timeoutMs: number;
  now: number;
}

export async function rollStep(inputs: RollInputs): Promise<RollOutcome> {
  const { cluster, statefulSet: sts } = inputs;
  const currentPartition = sts?.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const updateRevision = sts?.status?.updateRevision;
  // The verified key names the certificates the servers were proven to serve, so a new revision or
  // a Secret the cache has only now caught up with both ask for verification again.
  const served = (role: string) => {
    const revision = certificateOf(inputs, role)?.revision;
    const notAfter = servedNotAfter(inputs, role);
    return { ...(revision !== undefined ? { revision } : {}), ...(notAfter ? { notAfter } : {}) };
  };
  const key = servedCertificatesKey(updateRevision, { server: served('server'), routes: served('routes') });
  const recorded = sts?.metadata?.annotations?.[VERIFIED_ANNOTATION];
  if (sts && sts.status?.observedGeneration !== sts.metadata?.generation) {
    return {
      partition: currentPartition,
      ...(recorded ? { verifiedKey: recorded } : {}),
      phase: 'Waiting',
      message: 'the StatefulSet controller has not caught up yet',
    };
  }
  const decision = planRoll(
    {
      exists: !!sts,
      replicas: cluster.spec.replicas,
      partition: currentPartition,
      ...(sts?.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION]
        ? { templateHash: sts.metadata.annotations[TEMPLATE_HASH_ANNOTATION] }
        : {}),
      ...(updateRevision ? { updateRevision } : {}),
      verified: recorded === key,
    },
    inputs.desiredTemplateHash,
    inputs.pods.map(podView),
    inputs.now,
    inputs.timeoutMs,
  );
  const keep = recorded ? { verifiedKey: recorded } : {};
  const monitored = cluster.spec.monitoring.enabled;
  const check = (pod: PodView) =>
    monitored ? checkServer(endpointFor(inputs, pod), expectations(inputs)) : Promise.resolve(readiness(pod));
  switch (decision.kind) {
    case 'idle':
      return {
        partition: 0,
        ...keep,
        phase: 'Idle',
        message: 'every server runs the current revision and certificates',
      };
    case 'start':
      return {
        partition: decision.partition,
        phase: 'Rolling',
        message: `new pod template: replacing ${cluster.metadata.name}-${decision.partition} first`,
      };
    case 'wait':
      return {
        partition: decision.partition,
        ...keep,
        phase: decision.stuck ? 'Blocked' : 'Rolling',
        message: `${decision.pod}: ${decision.reason}`,
      };
    case 'check': {
      const health = await check(decision.pod);
      if (health.healthy)
        return {
          partition: nextPartition(decision.partition),
          phase: 'Rolling',
          message: monitored
            ? `${decision.pod.name} verified; moving on`
            : `${decision.pod.name} ready; moving on (${READINESS_ONLY})`,
        };
      return blockedOrWaiting(decision.partition, decision.pod, health, inputs, keep);
    }
    case 'verify': {
      for (const pod of decision.pods) {
        const health = await check(pod);
        if (!health.healthy)
          return {
            ...blockedOrWaiting(0, pod, health, inputs, keep),
            phase: stuckFor(pod, inputs) ? 'Blocked' : 'Verifying',
          };
      }
      return {
        partition: 0,
        verifiedKey: key,
        phase: 'Idle',
        message: monitored
          ? `all ${decision.pods.length} servers verified`
          : `all ${decision.pods.length} servers ready (${READINESS_ONLY})`,
      };
    }
  }
}

const READINESS_ONLY =
  'monitoring is off: pod readiness only, not /healthz, /routez or the served certificates on /varz';

/** spec.monitoring.enabled: false leaves the pod's readiness (a TCP check of the client port) as the only evidence. */
const readiness = (pod: PodView): ServerHealth =>
  pod.ready
    ? { healthy: true, reason: READINESS_ONLY }
    : { healthy: false, reason: `not ready (${READINESS_ONLY})` };

const stuckFor = (pod: PodView, inputs: RollInputs) =>
  !!pod.createdAt && inputs.now - Date.parse(pod.createdAt) > inputs.timeoutMs;

function blockedOrWaiting(
  partition: number,
  pod: PodView,
  health: ServerHealth,
  inputs: RollInputs,
  keep: { verifiedKey?: string },
): RollOutcome {
  return {
    partition,
    ...keep,
    phase: stuckFor(pod, inputs) ? 'Blocked' : 'Rolling',
    message: `${pod.name}: ${health.reason}`,
  };
}

function endpointFor(inputs: RollInputs, pod: PodView) {
  return {
    host: pod.podIP ?? '',
    port: PORTS.monitor,
    https: inputs.cluster.spec.tls.monitor.https,
    servername: podFqdn(inputs.cluster, pod.ordinal, inputs.clusterDomain),
    ca: inputs.trustBundle,
  };
}

const certificateOf = (inputs: RollInputs, role: string) => inputs.certificates.find((c) => c.role === role);
const servedNotAfter = (inputs: RollInputs, role: string) => {
  const c = certificateOf(inputs, role);
  return c?.issuedNotAfter ?? c?.notAfter;
};

function expectations(inputs: RollInputs) {
  const notAfter = (role: string) => servedNotAfter(inputs, role);
  return {
    peers: inputs.cluster.spec.replicas - 1,
    ...(notAfter('server') ? { serverNotAfter: notAfter('server') } : {}),
    ...(notAfter('routes') ? { routesNotAfter: notAfter('routes') } : {}),
  };
}
