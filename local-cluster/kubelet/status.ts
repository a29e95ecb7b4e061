// The pod status the kubelet writes back: phase, conditions (PodScheduled, PodReadyToStartContainers,
// Initialized, ContainersReady, Ready) with stable transition times, pod and host addresses, and a
// containerStatus per container with its state, last state, readiness and restartCount.
import { time } from './api.ts';
import type { Container, State } from './container.ts';
import type { Obj } from './types.ts';

function stateJson(state: State | undefined): Obj {
  if (!state) return {};
  if (state.kind === 'waiting')
    return { waiting: { reason: state.reason, ...(state.message ? { message: state.message } : {}) } };
  if (state.kind === 'running') return { running: { startedAt: time(state.startedAt) } };
  return {
    terminated: {
      exitCode: state.exitCode,
      reason: state.reason,
      startedAt: time(state.startedAt),
      finishedAt: time(state.finishedAt),
    },
  };
}

export function containerStatus(c: Container): Obj {
  const pid = c.state.kind === 'running' ? c.state.pid : undefined;
  return {
    name: c.spec.name,
    image: c.spec.image,
    imageID: `process://${c.spec.image}`,
    ...(pid ? { containerID: `process://${pid}` } : {}),
    ready: c.ready,
    started: c.started,
    restartCount: c.restartCount,
    state: stateJson(c.state),
    lastState: stateJson(c.lastTermination),
  };
}

export class StatusBuilder {
  private readonly transitions = new Map<string, { status: string; at: string }>();
  private readonly startTime = time();

  private condition(type: string, ok: boolean): Obj {
    const status = ok ? 'True' : 'False';
    const previous = this.transitions.get(type);
    if (!previous || previous.status !== status) this.transitions.set(type, { status, at: time() });
    return { type, status, lastProbeTime: null, lastTransitionTime: this.transitions.get(type)?.at };
  }

  build(pod: Obj, podIP: string, init: Container[], containers: Container[], initDone: boolean): Obj {
    const always = (pod.spec.restartPolicy ?? 'Always') === 'Always';
    let phase = 'Pending';
    if (initDone && containers.some((c) => c.state.kind !== 'waiting' || c.lastTermination))
      phase = 'Running';
    if (!always && initDone && containers.every((c) => c.finished)) {
      phase = containers.every((c) => c.state.kind === 'terminated' && c.state.exitCode === 0)
        ? 'Succeeded'
        : 'Failed';
    }
    if (init.some((c) => c.finished && c.state.kind === 'terminated' && c.state.exitCode !== 0) && !always)
      phase = 'Failed';
    const containersReady = initDone && containers.every((c) => c.ready);
    return {
      phase,
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: this.startTime,
      qosClass: pod.status?.qosClass,
      conditions: [
        this.condition('PodReadyToStartContainers', true),
        this.condition('Initialized', initDone),
        this.condition('ContainersReady', containersReady),
        this.condition('Ready', containersReady),
        this.condition('PodScheduled', true),
      ],
      initContainerStatuses: init.map(containerStatus),
      containerStatuses: containers.map(containerStatus),
    };
  }
}
