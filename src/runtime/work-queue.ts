// A level-based work queue, as controller-runtime's: keys (namespace/name) not events; a key queued
// twice is queued once; a key being processed is never handed to a second worker (if it is added
// meanwhile it runs again afterwards); failures back off per key exponentially; `addAfter` schedules
// a look later; an optional settle time keeps one key from running back to back (a storm of events
// on one key becomes one reconcile per interval). Hand-written because no maintained JS library has
// these semantics.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while being processed: requeued when their worker finishes. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; handle: unknown }>();
  /** When each key's last processing finished, while within the settle time. */
  private readonly finished = new Map<string, number>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly clock: Clock;
  private readonly backoff: BackoffOptions;
  private readonly settleMs: number;

  /** @param settleMs a key added within this time of its last processing waits out the rest */
  constructor(
    clock: Clock = systemClock,
    backoff: BackoffOptions = { baseMs: 500, maxMs: 5 * 60_000 },
    settleMs = 0,
  ) {
    this.clock = clock;
    this.backoff = backoff;
    this.settleMs = settleMs;
  }

  /** Queues a key now (deduplicated), or once its settle time has passed. */
  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    const settled = (this.finished.get(key) ?? -Infinity) + this.settleMs;
    // Never longer than the settle time, even if the clock stepped back since the key finished.
    if (settled > this.clock.now())
      return this.addAfter(key, Math.min(settled - this.clock.now(), this.settleMs));
    this.finished.delete(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queued.add(key);
    this.queue.push(key);
  }

  /** Queues a key after a delay; an earlier pending schedule for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const at = this.clock.now() + delayMs;
    const existing = this.timers.get(key);
    if (existing && existing.at <= at) return;
    if (existing) this.clock.clearTimeout(existing.handle);
    const handle = this.clock.setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    this.timers.set(key, { at, handle });
  }

  /** Queues a key after its backoff, which doubles with every consecutive failure. */
  addRateLimited(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    const delay = Math.min(this.backoff.baseMs * 2 ** (failures - 1), this.backoff.maxMs);
    this.addAfter(key, delay);
    return delay;
  }

  /** Forgets a key's failures, after a successful reconcile. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** The next key to process, waiting for one; undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key's processing finished; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.settleMs > 0) this.finished.set(key, this.clock.now());
    if (this.dirty.delete(key)) this.add(key);
  }

  get depth(): number {
    return this.queue.length;
  }

  shutdown(): void {
    this.shuttingDown = true;
    for (const { handle } of this.timers.values()) this.clock.clearTimeout(handle);
    this.timers.clear();
    for (const waiter of this.waiters.splice(0)) waiter(undefined);
  }
}
