// A CPU profile of a running Node process over its inspector: SIGUSR1 makes Node open the inspector
// on 127.0.0.1:9229 (inside the process's network namespace, which the bench shares), and the
// Chrome DevTools protocol's Profiler domain samples until stop() writes FILE.cpuprofile
// (`node scripts/bench/profile-summary.ts FILE`, or any DevTools). Bench-only.
import { writeFileSync } from 'node:fs';

const INSPECTOR = 'http://127.0.0.1:9229';

/** Polls until `check` gives a value, every 100 ms, 50 times at most. */
async function poll<T>(check: () => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < 50; i++) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

async function inspectorUrl({ pid, healthUrl }: { pid: number; healthUrl: string }): Promise<string> {
  // Once its health server answers, Node's SIGUSR1 handler is installed (before it, the signal
  // would end the process).
  if (!(await poll(() => fetch(healthUrl).then(() => true))))
    throw new Error(`process ${pid} did not answer on ${healthUrl}`);
  process.kill(pid, 'SIGUSR1');
  const url = await poll(async () => {
    const targets = (await (await fetch(`${INSPECTOR}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    return targets[0]?.webSocketDebuggerUrl;
  });
  if (url) return url;
  throw new Error(`process ${pid} opened no inspector on ${INSPECTOR}`);
}

/** Starts sampling the process; the returned function stops it and writes the profile to `file`. */
export async function startCpuProfile(
  target: { pid: number; healthUrl: string },
  file: string,
): Promise<() => Promise<void>> {
  const socket = new WebSocket(await inspectorUrl(target));
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', reject, { once: true });
  });
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (reply.id !== undefined) pending.get(reply.id)?.(reply.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = ++next;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 1000 });
  await call('Profiler.start');
  return async () => {
    const { profile } = (await call('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    socket.close();
  };
}
