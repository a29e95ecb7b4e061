// The operator's only door to the API server: server-side apply with one field manager, status
// patches on the status subresource, reads, deletes, Events. Nothing else imports client-node
// except the informers beside this file.
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  loadYaml,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { isNotFound } from './errors.ts';
import { PooledKubeConfig } from './pooled-kubeconfig.ts';

export const FIELD_MANAGER = 'nats-warden';

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new PooledKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault(); // KUBECONFIG, ~/.kube/config, or the in-cluster service account
  return kc;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export class Kube {
  readonly kc: KubeConfig;
  readonly objects: KubernetesObjectApi;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.kc = kc;
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** Server-side apply of the whole desired object, taking ownership of the fields it names. */
  async apply<T extends KubernetesObject>(desired: T): Promise<T> {
    return this.objects.patch(
      inClientModel(desired),
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }

  async get<T extends KubernetesObject>(ref: ObjectRef): Promise<T | undefined> {
    try {
      return await this.objects.read<T>({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, namespace: ref.namespace ?? 'default' },
      } as never);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(ref: ObjectRef): Promise<void> {
    try {
      await this.objects.delete(
        {
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, namespace: ref.namespace },
        },
        undefined,
        undefined,
        undefined,
        undefined,
        'Background',
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Asks cert-manager for a new issuance the way `cmctl renew` does: Issuing=True on the
   * Certificate's status. The resourceVersion makes it a no-op (409) if the Certificate moved on.
   */
  async requestIssuance(
    namespace: string,
    name: string,
    resourceVersion: string,
    conditions: object[],
  ): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: 'cert-manager.io',
        version: 'v1',
        namespace,
        plural: 'certificates',
        name,
        body: { metadata: { resourceVersion }, status: { conditions } },
        fieldManager: FIELD_MANAGER,
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  /**
   * Sets a natswarden.io resource's finalizers, or a Secret's (a user's credentials, held for
   * revocation: ADR 16), to `finalizers`, guarded by its resourceVersion (a 409 when it moved on:
   * the caller requeues and decides again from the fresh object).
   */
  async patchFinalizers(
    plural: 'natsaccounts' | 'natsusers' | 'secrets',
    namespace: string,
    name: string,
    resourceVersion: string | undefined,
    finalizers: string[],
  ): Promise<void> {
    const body = { metadata: { finalizers, ...(resourceVersion ? { resourceVersion } : {}) } };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    if (plural === 'secrets')
      await this.core.patchNamespacedSecret({ namespace, name, body, fieldManager: FIELD_MANAGER }, merge);
    else
      await this.custom.patchNamespacedCustomObject(
        {
          group: 'natswarden.io',
          version: 'v1alpha1',
          namespace,
          plural,
          name,
          body,
          fieldManager: FIELD_MANAGER,
        },
        merge,
      );
  }

  /**
   * Merge-patches annotations onto a pod (volume-refresh.ts: the kubelet's cue to sync it now). A pod
   * gone meanwhile is nothing to do.
   */
  async annotatePod(namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
    try {
      await this.core.patchNamespacedPod(
        { namespace, name, body: { metadata: { annotations } }, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * Merge-patches a custom resource's status subresource. With `resourceVersion`, only the object
   * as it was read: a later one refuses the patch (409 Conflict).
   */
  async patchStatus(
    group: string,
    version: string,
    plural: string,
    namespace: string,
    name: string,
    status: object,
    resourceVersion?: string,
  ): Promise<void> {
    const body = { ...(resourceVersion ? { metadata: { resourceVersion } } : {}), status };
    await this.custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name, body, fieldManager: FIELD_MANAGER },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

/**
 * The object as client-node's models hold it, whatever its kind: its serializer writes a known kind
 * through the generated model, whose property names differ from the JSON ones where the JSON name
 * is a JavaScript reserved word (V1NetworkPolicyIngressRule: `_from` for `from`), so a plain
 * object's field of that name was dropped silently (a NetworkPolicy then admitted everyone).
 * loadYaml deserializes by apiVersion and kind, the inverse of that serializer; other kinds pass through.
 */
const inClientModel = <T extends KubernetesObject>(desired: T): T =>
  FLAT_KINDS.has(`${desired.apiVersion}/${desired.kind}`) ? desired : loadYaml<T>(JSON.stringify(desired));

/** Kinds whose every JSON name is its model's name too: written as they are (a user's Secret per apply). */
const FLAT_KINDS = new Set(['v1/Secret', 'v1/ConfigMap']);
