// The in-pod reloader (`nats-warden reloader`, see cli/reloader-command.ts): the sidecar that makes
// nats-server re-read its configuration, credentials and certificates in place. Kubelet swaps a
// volume's `..data` link atomically when a ConfigMap or Secret changes; polling a digest of every
// watched file sees that swap (and plain edits) without inotify's pitfalls with symlinks. On a
// change it sends SIGHUP to the pid in the pid file (shareProcessNamespace makes it visible).
// It also sends one as soon as the pid file is there: the containers start side by side, so a file
// swapped after nats-server read its config but before the reloader's first digest would otherwise
// never be loaded (a new NatsUser's pin arriving as the pod starts, for one). A reload of an
// unchanged config changes nothing, and nats-server handles signals (server.go:966, NewServer) before
// it writes the pid file (server.go:2402, Start), so the early SIGHUP never finds it unprepared.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ReloaderOptions {
  pidFile: string;
  watch: string[];
  intervalMs: number;
}

/** A digest of every regular file under the directories (dot entries such as ..data skipped; their targets are read through the visible names). */
export function digestOf(dirs: string[]): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => !n.startsWith('.'))
        .sort();
    } catch {
      hash.update(`${dir}:missing\n`);
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      try {
        if (statSync(path).isFile()) hash.update(`${path}\n`).update(readFileSync(path));
      } catch {
        hash.update(`${path}:unreadable\n`);
      }
    }
  }
  return hash.digest('hex');
}

function signalReload(pidFile: string): string {
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${pidFile}`);
  process.kill(pid, 'SIGHUP');
  return `sent SIGHUP to nats-server (pid ${pid})`;
}

/** Polls the watched directories until SIGTERM or SIGINT; SIGHUPs nats-server on every change. */
export async function runReloader(
  options: ReloaderOptions,
  log: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
): Promise<number> {
  let last = digestOf(options.watch);
  let caughtUp = false;
  log(`reloader: watching ${options.watch.join(', ')}`);
  let stopped = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => (stopped = true));
  while (!stopped) {
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    const next = digestOf(options.watch);
    if (next === last && caughtUp) continue;
    try {
      const why = caughtUp ? 'mounted files changed' : 'catching up with changes made while starting';
      log(`reloader: ${why}; ${signalReload(options.pidFile)}`);
      last = next;
      caughtUp = true;
    } catch (error) {
      log(`reloader: could not signal nats-server yet: ${(error as Error).message}`);
    }
  }
  return 0;
}
