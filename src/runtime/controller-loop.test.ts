import { describe, expect, test } from '@jest/globals';
import { runWorkers } from './controller-loop.ts';
import { createLogger } from './logger.ts';
import { OperatorMetrics } from './metrics.ts';
import { WorkQueue } from './work-queue.ts';

const silent = createLogger('silent');

/** Reconciles 'ns/x' once with the given error, then shuts the queue down. */
async function failOnce(error: unknown): Promise<{ queue: WorkQueue; requeued: boolean }> {
  const queue = new WorkQueue();
  queue.add('ns/x');
  const reconciler = {
    reconcile: async () => {
      setImmediate(() => {
        // Looked at after the worker has handled the error.
        setImmediate(() => queue.shutdown());
      });
      throw error;
    },
  };
  await runWorkers('test', queue, reconciler, 1, new OperatorMetrics(), silent);
  return { queue, requeued: queue.failuresOf('ns/x') > 0 };
}

describe('runWorkers', () => {
  test('a temporary error is retried with backoff', async () => {
    const { requeued } = await failOnce(Object.assign(new Error('unavailable'), { code: 503, body: '{}' }));
    expect(requeued).toBe(true);
  });

  test.each([422, 403])('a permanent error (HTTP %i) is not retried in a loop', async (code) => {
    const { requeued } = await failOnce(Object.assign(new Error('refused'), { code, body: '{}' }));
    expect(requeued).toBe(false);
  });
});
