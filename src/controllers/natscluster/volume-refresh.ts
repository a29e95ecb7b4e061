// A kubelet refreshes a pod's Secret and ConfigMap volumes when it syncs the pod: on any change to
// the pod, and otherwise on its periodic sync (a minute by default, plus jitter). So a user removed
// from the servers' auth include (Config mode), or a renewed certificate under the Reload strategy,
// would wait up to a minute or more for the files to change and the reloader to act. Once the
// operator's cache shows what the servers mount, each server pod whose annotation names other
// versions is annotated with the current ones: that update is the kubelet's cue to sync the pod now.
// The versions are the mounted Secrets' resourceVersions (what the cache saw, so the API server has
// already sent the change to every watcher) and a digest of the rendered ConfigMap's data (no
// secret in it). Pure except refreshMountedVolumes, which patches the pods.
import { createHash } from 'node:crypto';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { NatsCluster } from '../../api/index.ts';
import { childNames, podMounts } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { forEachBounded } from '../../runtime/bounded.ts';
import type { NatsClusterWatches } from './controller.ts';

export const MOUNTED_VERSIONS_ANNOTATION = 'natswarden.io/mounted-versions';

/**
 * What a server pod of `cluster` mounts, as one short digest: the ConfigMap's rendered data and each
 * mounted Secret's resourceVersion in the cache ('-' for one not there yet). Order-independent.
 */
export function mountedVersions(
  cluster: NatsCluster,
  configMapData: Record<string, string> | undefined,
  secretVersion: (name: string) => string | undefined,
): string {
  const names = childNames(cluster.metadata.name);
  const parts: string[] = [];
  for (const { source } of podMounts(cluster)) {
    if (!source) continue;
    const name = names[source.name];
    if (source.kind === 'ConfigMap')
      parts.push(
        `ConfigMap/${name}=${createHash('sha256')
          .update(JSON.stringify(configMapData ?? {}))
          .digest('hex')}`,
      );
    else parts.push(`Secret/${name}=${secretVersion(name) ?? '-'}`);
  }
  return createHash('sha256').update(parts.sort().join('\n')).digest('hex').slice(0, 16);
}

/** The running server pods whose annotation names other versions (a deleting pod is left alone). */
export function podsToRefresh(pods: V1Pod[], versions: string): V1Pod[] {
  return pods.filter(
    (pod) =>
      !pod.metadata?.deletionTimestamp &&
      pod.status?.phase === 'Running' &&
      pod.metadata?.annotations?.[MOUNTED_VERSIONS_ANNOTATION] !== versions,
  );
}

const PATCHES_AT_ONCE = 8;

/** Annotates each server pod that mounts older versions than the cache shows (see the top). */
export async function refreshMountedVolumes(
  ctx: ControllerContext<NatsClusterWatches>,
  cluster: NatsCluster,
  rendered: KubernetesObject[],
): Promise<number> {
  const ns = cluster.metadata.namespace ?? 'default';
  const configMap = rendered.find(
    (o) => o.kind === 'ConfigMap' && o.metadata?.name === childNames(cluster.metadata.name).config,
  ) as { data?: Record<string, string> } | undefined;
  const versions = mountedVersions(
    cluster,
    configMap?.data,
    (name) => ctx.readers.secrets.get(name, ns)?.metadata?.resourceVersion,
  );
  const pods = ctx.readers.pods
    .list(ns)
    .filter((p) => p.metadata?.labels?.['app.kubernetes.io/instance'] === cluster.metadata.name);
  const stale = podsToRefresh(pods, versions);
  await forEachBounded(stale, PATCHES_AT_ONCE, async (pod) => {
    await ctx.kube.annotatePod(ns, pod.metadata?.name ?? '', { [MOUNTED_VERSIONS_ANNOTATION]: versions });
  });
  return stale.length;
}
