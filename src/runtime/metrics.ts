// Prometheus metrics every controller shares: reconciles, errors, duration, queue depth, leadership.
// A controller registers its own (e.g. certificate expiry) on the same registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class OperatorMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'nats_warden_reconcile_total',
    help: 'Reconciles by controller and result',
    labelNames: ['controller', 'result'],
    registers: [this.registry],
  });
  readonly reconcileErrors = new Counter({
    name: 'nats_warden_reconcile_errors_total',
    help: 'Failed reconciles by controller',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'nats_warden_reconcile_duration_seconds',
    help: 'Reconcile duration by controller',
    labelNames: ['controller'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly queueDepth = new Gauge({
    name: 'nats_warden_workqueue_depth',
    help: 'Keys waiting in the work queue',
    labelNames: ['controller'],
    registers: [this.registry],
  });
  readonly accountPushes = new Counter({
    name: 'nats_warden_account_pushes_total',
    help: 'Account JWTs pushed to a cluster by the NatsAccount controller (JWT mode)',
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'nats_warden_leader',
    help: '1 when this instance leads',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
