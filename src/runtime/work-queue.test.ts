import { describe, expect, test } from '@jest/globals';
import { WorkQueue, type Clock } from './work-queue.ts';

/** A manual clock: timers fire only when the test advances time. */
function fakeClock() {
  let now = 0;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance };
}

describe('WorkQueue', () => {
  test('deduplicates keys that are queued', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  test('never hands a key to two workers; a key added while processing runs again after', async () => {
    const q = new WorkQueue();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.add('a');
    expect(q.depth).toBe(0);
    q.done('a');
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
  });

  test('a waiting worker gets a key as soon as it is added', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.add('x');
    expect(await next).toBe('x');
  });

  test('backs off per key exponentially up to the maximum, and forget resets it', () => {
    const { clock } = fakeClock();
    const q = new WorkQueue(clock, { baseMs: 100, maxMs: 1000 });
    expect([1, 2, 3, 4, 5, 6].map(() => q.addRateLimited('a'))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(q.addRateLimited('b')).toBe(100);
    q.forget('a');
    expect(q.addRateLimited('a')).toBe(100);
  });

  test('addAfter queues the key only when the delay has passed; the earliest schedule wins', () => {
    const { clock, advance } = fakeClock();
    const q = new WorkQueue(clock);
    q.addAfter('a', 1000);
    q.addAfter('a', 500);
    q.addAfter('a', 2000);
    advance(499);
    expect(q.depth).toBe(0);
    advance(1);
    expect(q.depth).toBe(1);
    advance(5000);
    expect(q.depth).toBe(1);
  });

  test('shutdown releases waiting workers and ignores new keys', async () => {
    const q = new WorkQueue();
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBeUndefined();
  });

  test('a settle time turns a storm of adds on one key into one run per interval; other keys run at once', async () => {
    const { clock, advance } = fakeClock();
    const q = new WorkQueue(clock, { baseMs: 500, maxMs: 5_000 }, 1_000);
    q.add('cluster');
    expect(await q.get()).toBe('cluster');
    q.done('cluster');
    advance(100);
    for (let i = 0; i < 50; i++) q.add('cluster');
    q.add('other');
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('other');
    q.done('other');
    advance(899);
    expect(q.depth).toBe(0);
    advance(1);
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('cluster');
    q.done('cluster');
    // Long after the last run, an add runs at once.
    advance(5_000);
    q.add('cluster');
    expect(q.depth).toBe(1);
  });
});
