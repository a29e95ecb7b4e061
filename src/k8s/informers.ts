// Informer-backed caches over client-node's ListWatch, which relists on 410 Gone and reconnects
// with backoff when a watch errors. Controllers read from these caches, never from the API server.
import {
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import type { Kube } from './client.ts';
import { shareSecretData, SharedStrings } from './shared-strings.ts';

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

/** Objects per list page: a cold start lists 10,000 Secrets, and one answer would be tens of MB at once. */
const PAGE = 500;

/** What no controller reads and every write makes longer: each manager's field set. */
function stripManagedFields(o: KubernetesObject): void {
  if (o.metadata?.managedFields) delete o.metadata.managedFields;
}

/** The continue token of a list page: typed lists (V1SecretList) name it `_continue`, custom resources' lists `continue`. */
const continueOf = (page: KubernetesListObject<KubernetesObject>): string | undefined =>
  page.metadata?._continue || (page.metadata as { continue?: string } | undefined)?.continue || undefined;

/**
 * Every item of a list, asked for PAGE at a time; the last page's metadata (its resourceVersion is
 * the list's: all pages come from one snapshot, and the watch starts from it).
 */
export async function listAllPages<T extends KubernetesObject>(
  listPage: (limit: number, continueToken: string | undefined) => Promise<KubernetesListObject<T>>,
): Promise<KubernetesListObject<T>> {
  const items: T[] = [];
  let page: KubernetesListObject<T> | undefined;
  do {
    page = await listPage(PAGE, page && continueOf(page));
    items.push(...page.items);
  } while (continueOf(page));
  return { ...page, items };
}

/**
 * Whether the kind is a custom resource: client-node reads its lists' metadata as an object's, which
 * drops the continue token, so these are listed through the custom objects API, as the JSON the API
 * server sent (the shape watch events have too). Kubernetes' own groups have no dot or end in k8s.io.
 */
const customGroup = (apiVersion: string): boolean => {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
  return group.includes('.') && !group.endsWith('.k8s.io');
};

async function listCustom<T extends KubernetesObject>(
  kube: Kube,
  watched: WatchedKind,
  limit: number,
  continueToken: string | undefined,
): Promise<KubernetesListObject<T>> {
  const [group, version] = watched.apiVersion.split('/') as [string, string];
  const query = {
    group,
    version,
    plural: watched.plural,
    ...(watched.labelSelector ? { labelSelector: watched.labelSelector } : {}),
    limit,
    ...(continueToken ? { _continue: continueToken } : {}),
  };
  return (await (watched.namespace
    ? kube.custom.listNamespacedCustomObject({ ...query, namespace: watched.namespace })
    : kube.custom.listClusterCustomObject(query))) as KubernetesListObject<T>;
}

export function makeCache<T extends KubernetesObject>(
  kc: KubeConfig,
  kube: Kube,
  watched: WatchedKind,
): Cache<T> {
  const list = async (): Promise<KubernetesListObject<T>> => {
    const all = await listAllPages<T>((limit, continueToken) =>
      customGroup(watched.apiVersion)
        ? listCustom<T>(kube, watched, limit, continueToken)
        : kube.objects.list<T>(
            watched.apiVersion,
            watched.kind,
            watched.namespace,
            undefined,
            undefined,
            undefined,
            undefined,
            watched.labelSelector,
            limit,
            continueToken,
          ),
    );
    all.items.forEach(lean);
    return all;
  };
  const strings = new SharedStrings();
  const lean = (o: KubernetesObject) => {
    stripManagedFields(o);
    if (watched.kind === 'Secret') shareSecretData(o as { data?: Record<string, string> }, strings);
  };
  const informer = makeInformer<T>(kc, apiPath(watched), list, watched.labelSelector);
  // Registered before any controller's handler: the cache stores the very object the watch
  // delivers, so making it lean here keeps the cache lean (10,000 users' and Secrets' field sets,
  // and their 10,000 copies of one trust bundle).
  informer.on('add', lean);
  informer.on('update', lean);
  return informer;
}
