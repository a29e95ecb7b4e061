// Informer-backed caches over client-node's ListWatch, which relists on 410 Gone and reconnects
// with backoff when a watch errors. Controllers read from these caches, never from the API server.
import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Kube } from './client.ts';

export interface WatchedKind {
  apiVersion: string;
  kind: string;
  plural: string;
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
}

export type Cache<T extends KubernetesObject = KubernetesObject> = Informer<T> & ObjectCache<T>;

export function apiPath({ apiVersion, plural, namespace }: WatchedKind): string {
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return namespace ? `${base}/namespaces/${namespace}/${plural}` : `${base}/${plural}`;
}

export function makeCache<T extends KubernetesObject>(
  kc: KubeConfig,
  kube: Kube,
  watched: WatchedKind,
): Cache<T> {
  const list = () =>
    kube.objects.list<T>(
      watched.apiVersion,
      watched.kind,
      watched.namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      watched.labelSelector,
    );
  return makeInformer<T>(kc, apiPath(watched), list, watched.labelSelector);
}
