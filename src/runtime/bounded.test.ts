import { describe, expect, test } from '@jest/globals';
import { forEachBounded } from './bounded.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('forEachBounded', () => {
  test('never runs more than the limit at once, and runs every item', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    await forEachBounded([...Array(40).keys()], 4, async (i) => {
      running++;
      most = Math.max(most, running);
      await tick();
      seen.push(i);
      running--;
    });
    expect(most).toBe(4);
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
  });

  test('after a failure it starts nothing more, waits for what runs, then throws the first error', async () => {
    const started: number[] = [];
    let running = 0;
    const outcome = forEachBounded([...Array(100).keys()], 4, async (i) => {
      started.push(i);
      running++;
      await tick();
      running--;
      if (i === 5) throw new Error('429 from the API server');
    });
    await expect(outcome).rejects.toThrow('429 from the API server');
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(20);
  });
});
