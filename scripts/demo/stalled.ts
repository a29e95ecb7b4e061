// The demo stops waiting for Ready once the NatsCluster has said Stalled=True (what kstatus calls
// Failed: the operator reports it cannot go on by itself, such as a roll blocked at a server that
// keeps crashing) for a while, instead of waiting out the whole timeout; the failure report then
// shows why. A short Stalled that heals (a transient refusal) does not stop it.

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface StalledWatch {
  /** Rejects once Stalled=True has held for `forMs`; never resolves. */
  stalled: Promise<never>;
  stop(): void;
}

export function watchStalled(
  readConditions: () => Promise<Condition[]>,
  forMs: number,
  everyMs = 2_000,
  now: () => number = Date.now,
): StalledWatch {
  let since: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stalled = new Promise<never>((_, reject) => {
    const check = async () => {
      const conditions = await readConditions().catch(() => undefined);
      if (stopped) return;
      const condition = conditions?.find((c) => c.type === 'Stalled');
      if (conditions && condition?.status !== 'True') since = undefined;
      if (condition?.status === 'True') {
        since ??= now();
        if (now() - since >= forMs) {
          reject(
            new Error(
              `Stalled=True for ${Math.round((now() - since) / 1000)} s (${condition.reason}: ${condition.message})`,
            ),
          );
          return;
        }
      }
      timer = setTimeout(() => void check(), everyMs);
    };
    void check();
  });
  stalled.catch(() => undefined);
  return {
    stalled,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
