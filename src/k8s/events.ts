// Kubernetes Events on notable transitions (Ready, Degraded, roll steps). Never with a secret value:
// callers pass messages built from names and reasons only.
import type { Kube } from './client.ts';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string };
}

export class EventRecorder {
  private readonly kube: Kube;
  private readonly component: string;
  constructor(kube: Kube, component = 'nats-warden') {
    this.kube = kube;
    this.component = component;
  }

  async record(
    target: EventTarget,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const namespace = target.metadata.namespace ?? 'default';
    const now = new Date();
    try {
      await this.kube.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${target.metadata.name}.`, namespace },
          involvedObject: {
            apiVersion: target.apiVersion,
            kind: target.kind,
            name: target.metadata.name,
            namespace,
            uid: target.metadata.uid,
          },
          type,
          reason,
          message,
          source: { component: this.component },
          reportingComponent: this.component,
          reportingInstance: process.env.POD_NAME ?? this.component,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } catch {
      // An Event is best effort: losing one must never fail a reconcile.
    }
  }
}
