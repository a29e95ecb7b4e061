// Leader election on a coordination.k8s.io Lease, as client-go does it: the holder renews every
// retry period; a candidate takes the Lease once it has gone unrenewed for the lease duration; a
// leader that cannot renew within the renew deadline stops leading. Optimistic concurrency
// (resourceVersion) decides races. Only the leader reconciles.
import type { Kube } from './client.ts';
import { classify } from './errors.ts';

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export const DEFAULT_LEASE = { leaseDurationSeconds: 12, renewDeadlineMs: 8_000, retryPeriodMs: 2_000 };

interface Lease {
  apiVersion: 'coordination.k8s.io/v1';
  kind: 'Lease';
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** metav1.MicroTime wants exactly six fractional digits. */
export const microTime = (date: Date) => date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export class LeaderElector {
  private readonly kube: Kube;
  private readonly options: LeaderElectionOptions;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;

  constructor(kube: Kube, options: LeaderElectionOptions) {
    this.kube = kube;
    this.options = options;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Tries once to acquire or renew; returns whether this instance leads now. */
  async tryAcquireOrRenew(now = new Date()): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.options;
    const ref = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', namespace, name };
    const current = await this.kube.get<Lease>(ref);
    const mine: Lease['spec'] = { holderIdentity: identity, leaseDurationSeconds, renewTime: microTime(now) };
    try {
      if (!current) {
        await this.kube.objects.create({
          ...ref,
          metadata: { name, namespace },
          spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
        } as never);
        return true;
      }
      const spec = current.spec ?? {};
      const held = spec.holderIdentity === identity;
      const expires =
        Date.parse(spec.renewTime ?? '1970-01-01T00:00:00Z') +
        (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
      if (!held && spec.holderIdentity && expires > now.getTime()) return false;
      const next: Lease = {
        ...current,
        spec: {
          ...spec,
          ...mine,
          acquireTime: held ? spec.acquireTime : microTime(now),
          leaseTransitions: (spec.leaseTransitions ?? 0) + (held ? 0 : 1),
        },
      };
      await this.kube.objects.replace(next as never);
      return true;
    } catch (error) {
      if (classify(error) === 'Conflict') return false; // someone else wrote first
      throw error;
    }
  }

  /** Runs until stopped: calls onStartedLeading once leading, onStoppedLeading if leadership is lost. */
  async run(onStartedLeading: () => void, onStoppedLeading: () => void): Promise<void> {
    while (!this.stopped) {
      const ok = await this.tryAcquireOrRenew().catch(() => false);
      const now = Date.now();
      if (ok) {
        this.lastRenew = now;
        if (!this.leading) {
          this.leading = true;
          onStartedLeading();
        }
      } else if (this.leading && now - this.lastRenew > this.options.renewDeadlineMs) {
        this.leading = false;
        onStoppedLeading();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, this.options.retryPeriodMs));
    }
  }

  /** Stops and, if leading, releases the Lease so a standby takes over at once. */
  async release(): Promise<void> {
    this.stopped = true;
    if (!this.leading) return;
    const { namespace, name } = this.options;
    const current = await this.kube.get<Lease>({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace,
      name,
    });
    if (current?.spec?.holderIdentity !== this.options.identity) return;
    await this.kube.objects
      .replace({
        ...current,
        spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1 },
      } as never)
      .catch(() => undefined);
    this.leading = false;
  }
}
