// The operator as the e2e suite and the demo run it: a host process against the harness's (or any)
// kubeconfig, recorded in the harness state so `cluster down` stops it with everything else. Tests
// start and kill instances at will (a second replica, a kill mid-roll).
import { join } from 'node:path';
import {
  freePort,
  imageArchive,
  onLocalCluster,
  repoRoot,
  startWithCluster,
  stopWithCluster,
  toolPath,
  type Started,
} from '@nats-warden/local-cluster';

export interface OperatorInstance extends Started {
  healthUrl: string;
}

/** Log files of the operators this process started, by the namespace they watch (diagnostics). */
const logsByNamespace = new Map<string, Set<string>>();
export const operatorLogs = (namespace: string): string[] => [...(logsByNamespace.get(namespace) ?? [])];

export async function startOperator(
  kubeconfig: string,
  name = 'operator',
  extraArgs: string[] = [],
  nodeFlags: string[] = [],
  /** Put before the command (a benchmark's memory cgroup, bench/memory-limit.ts); must exec it. */
  launcher: string[] = [],
): Promise<OperatorInstance> {
  const port = await freePort();
  const cli = join(repoRoot, 'src', 'cli', 'main.ts');
  const started = startWithCluster(
    name,
    [
      ...launcher,
      process.execPath,
      ...nodeFlags,
      cli,
      'operator',
      '--kubeconfig',
      kubeconfig,
      '--health-addr',
      `127.0.0.1:${port}`,
      '--identity',
      name,
      '--leader-election-namespace',
      'default',
      // On the local cluster the servers run the nats-server image built here (no registry to pull
      // the default from); another cluster (kind) pulls the default.
      ...(onLocalCluster() ? ['--nats-image', imageArchive('nats-server').reference] : []),
      ...extraArgs,
    ],
    // The real nats-server validates every rendered configuration before it is applied.
    { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', NATS_SERVER_BIN: toolPath('nats-server') },
  );
  const watched = extraArgs[extraArgs.indexOf('--namespace') + 1];
  for (const ns of extraArgs.includes('--namespace') && watched ? [watched] : ['*']) {
    logsByNamespace.set(ns, new Set([...(logsByNamespace.get(ns) ?? []), started.log]));
  }
  return { ...started, healthUrl: `http://127.0.0.1:${port}` };
}

/** Stops an instance; `kill` ends it at once (SIGKILL), as a crash would. */
export async function stopOperator(instance: OperatorInstance, kill = false): Promise<void> {
  await stopWithCluster(instance, kill ? 0 : 10_000);
}
