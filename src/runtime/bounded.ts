// Work over many items, a few at a time, that never outlives its caller. A reconcile that writes
// thousands of statuses in parallel and meets an error must stop starting new writes and wait for
// the ones in flight before it fails: otherwise the work queue, seeing it return, could start the
// next reconcile of the same key beside writes that are still running.
import pLimit from 'p-limit';

/** Runs `work` on every item, at most `limit` at once; after a failure starts no more, then throws it. */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  await pLimit(limit).map(items, async (item) => {
    if (failure) return;
    try {
      await work(item);
    } catch (error) {
      failure ??= { error };
    }
  });
  if (failure) throw failure.error;
}
