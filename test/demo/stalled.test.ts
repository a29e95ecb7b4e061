// The demo gives up on a NatsCluster only when Stalled=True holds, not on a Stalled that heals. The
// clock is the number of reads (10 ms each), so the outcome does not depend on the machine's load.
import { describe, expect, test } from '@jest/globals';
import { watchStalled, type Condition } from '../../scripts/demo/stalled.ts';

const stalled: Condition = { type: 'Stalled', status: 'True', reason: 'RollBlocked', message: 'secure-0' };
const fine: Condition = { type: 'Stalled', status: 'False', reason: 'AsExpected' };

/** Conditions read in turn (the last one repeated), and a clock at 10 ms a read. */
function cluster(sequence: Condition[]) {
  let reads = 0;
  return {
    read: async () => [sequence[Math.min(reads++, sequence.length - 1)]!],
    now: () => (reads - 1) * 10,
    reads: () => reads,
  };
}

describe('watchStalled', () => {
  test('rejects once Stalled=True has held for the given time, naming the reason', async () => {
    const c = cluster([stalled]);
    const watch = watchStalled(c.read, 40, 1, c.now);
    await expect(watch.stalled).rejects.toThrow(/Stalled=True for \d+ s \(RollBlocked: secure-0\)/);
    expect(c.reads()).toBe(5); // read at 0, 10, 20, 30, 40 ms
    watch.stop();
  });

  test('a Stalled that heals before the time is up starts the count again', async () => {
    // Stalled at 0-20 ms, healed at 30, Stalled again from 40: counted from 0 it would give up at
    // the read at 40 ms (the 5th); counted again from 40, at the read at 80 ms (the 9th).
    const c = cluster([stalled, stalled, stalled, fine, stalled]);
    const watch = watchStalled(c.read, 40, 1, c.now);
    await expect(watch.stalled).rejects.toThrow(/Stalled=True/);
    expect(c.reads()).toBe(9);
    watch.stop();
  });

  test('never rejects while the cluster is not stalled, and stop ends the polling', async () => {
    const c = cluster([fine]);
    const watch = watchStalled(c.read, 10, 1, c.now);
    let rejected = false;
    watch.stalled.catch(() => (rejected = true));
    while (c.reads() < 20) await new Promise((r) => setTimeout(r, 1)); // 190 ms of its clock
    watch.stop();
    const after = c.reads();
    await new Promise((r) => setTimeout(r, 30));
    expect(c.reads()).toBe(after);
    expect(rejected).toBe(false);
  });
});
