// Runs a reconciler over a work queue: a fixed number of workers, never two on one key, temporary
// errors retried with per-key backoff, "look again later" honoured, metrics and logs for every
// reconcile. A permanent error (the API server's 400/422 Invalid or 401/403 Forbidden) is not
// retried in a hot loop: the key waits for its next event or the periodic resync. Controllers
// report such errors in status themselves; this is the net under them.
import { apiMessage, isPermanent } from '../k8s/errors.ts';
import type { Reconciler } from './controller.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './metrics.ts';
import type { WorkQueue } from './work-queue.ts';

export async function runWorkers(
  name: string,
  queue: WorkQueue,
  reconciler: Reconciler,
  workers: number,
  metrics: OperatorMetrics,
  log: Logger,
): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const stop = metrics.reconcileDuration.startTimer({ controller: name });
      try {
        const result = await reconciler.reconcile(key);
        queue.forget(key);
        metrics.reconciles.inc({ controller: name, result: 'success' });
        if (result.requeueAfterMs) queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        metrics.reconciles.inc({ controller: name, result: 'error' });
        metrics.reconcileErrors.inc({ controller: name });
        if (isPermanent(error)) {
          queue.forget(key);
          log.error(
            { controller: name, key, error: apiMessage(error) },
            'reconcile failed permanently; waiting for a change',
          );
        } else {
          const delay = queue.addRateLimited(key);
          log.warn({ controller: name, key, error: apiMessage(error), retryInMs: delay }, 'reconcile failed');
        }
      } finally {
        stop();
        queue.done(key);
        metrics.queueDepth.set({ controller: name }, queue.depth);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
}
