// A pod's volumes on the host, under <dir>/pods/<uid>/volumes/<name>: configMap, secret, projected
// (secret, configMap, downwardAPI, serviceAccountToken from the TokenRequest API) and downwardAPI
// through the atomic writer, refreshed on every tick as the real kubelet's sync does; emptyDir as a
// plain directory; PVCs as their PV's host directory, which outlives the pod; hostPath as given.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Api } from './api.ts';
import { writeAtomically, type Payload } from './atomic-writer.ts';
import type { Cache } from './cache.ts';
import { MissingReference, fieldValue } from './env.ts';
import type { Obj } from './types.ts';

const tokens = new Map<string, { token: string; refreshAt: number }>();

async function serviceAccountToken(api: Api, pod: Obj, source: Obj, key: string): Promise<string> {
  const cached = tokens.get(key);
  if (cached && Date.now() < cached.refreshAt) return cached.token;
  const ns = pod.metadata.namespace;
  const sa = pod.spec.serviceAccountName ?? 'default';
  const expirationSeconds = source.expirationSeconds ?? 3607;
  const review = await api.call('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      ...(source.audience ? { audiences: [source.audience] } : {}),
      expirationSeconds,
      boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
    },
  });
  tokens.set(key, { token: review.status.token, refreshAt: Date.now() + expirationSeconds * 800 });
  return review.status.token;
}

function keyed(
  cache: Cache,
  kind: 'secrets' | 'configmaps',
  ns: string,
  src: Obj,
  defaultMode: number,
): Payload {
  const obj = cache.find(kind, ns, src.name);
  if (!obj) {
    if (src.optional) return {};
    throw new MissingReference(`${kind} ${ns}/${src.name} not found`);
  }
  const decode = (v: string) => (kind === 'secrets' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  const all: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(obj.data ?? {})) all[k] = decode(String(v));
  for (const [k, v] of Object.entries(obj.binaryData ?? {})) all[k] = Buffer.from(String(v), 'base64');
  const out: Payload = {};
  if (!src.items) {
    for (const [k, data] of Object.entries(all)) out[k] = { data, mode: defaultMode };
    return out;
  }
  for (const item of src.items) {
    const data = all[item.key];
    if (data === undefined) {
      if (src.optional) continue;
      throw new MissingReference(`${kind} ${ns}/${src.name} has no key ${item.key}`);
    }
    out[item.path] = { data, mode: item.mode ?? defaultMode };
  }
  return out;
}

function downward(pod: Obj, podIP: string, items: Obj[], defaultMode: number): Payload {
  const out: Payload = {};
  for (const item of items) {
    const path: string = item.fieldRef?.fieldPath ?? '';
    let text: string;
    if (path === 'metadata.labels' || path === 'metadata.annotations') {
      const map: Record<string, string> =
        (path === 'metadata.labels' ? pod.metadata.labels : pod.metadata.annotations) ?? {};
      text = Object.keys(map)
        .sort()
        .map((k) => `${k}=${JSON.stringify(map[k])}`)
        .join('\n');
    } else text = item.fieldRef ? fieldValue(pod, podIP, path) : '0';
    out[item.path] = { data: Buffer.from(text), mode: item.mode ?? defaultMode };
  }
  return out;
}

async function payloadFor(
  api: Api,
  cache: Cache,
  pod: Obj,
  podIP: string,
  volume: Obj,
): Promise<Payload | undefined> {
  const ns = pod.metadata.namespace;
  if (volume.configMap)
    return keyed(cache, 'configmaps', ns, volume.configMap, volume.configMap.defaultMode ?? 0o644);
  if (volume.secret)
    return keyed(
      cache,
      'secrets',
      ns,
      { ...volume.secret, name: volume.secret.secretName },
      volume.secret.defaultMode ?? 0o644,
    );
  if (volume.downwardAPI)
    return downward(pod, podIP, volume.downwardAPI.items ?? [], volume.downwardAPI.defaultMode ?? 0o644);
  if (!volume.projected) return undefined;
  const mode = volume.projected.defaultMode ?? 0o644;
  const out: Payload = {};
  for (const source of volume.projected.sources ?? []) {
    if (source.secret) Object.assign(out, keyed(cache, 'secrets', ns, source.secret, mode));
    if (source.configMap) Object.assign(out, keyed(cache, 'configmaps', ns, source.configMap, mode));
    if (source.downwardAPI) Object.assign(out, downward(pod, podIP, source.downwardAPI.items ?? [], mode));
    if (source.serviceAccountToken) {
      const sat = source.serviceAccountToken;
      const token = await serviceAccountToken(
        api,
        pod,
        sat,
        `${pod.metadata.uid}/${volume.name}/${sat.path}`,
      );
      out[sat.path] = { data: Buffer.from(token), mode };
    }
  }
  return out;
}

/** Makes (or refreshes) every volume; returns volume name -> host directory. */
export async function syncVolumes(
  api: Api,
  cache: Cache,
  podDir: string,
  pod: Obj,
  podIP: string,
): Promise<Map<string, string>> {
  const dirs = new Map<string, string>();
  for (const volume of pod.spec.volumes ?? []) {
    const dir = join(podDir, 'volumes', volume.name);
    const payload = await payloadFor(api, cache, pod, podIP, volume);
    if (payload) {
      writeAtomically(dir, payload);
      dirs.set(volume.name, dir);
    } else if (volume.emptyDir) {
      mkdirSync(dir, { recursive: true });
      dirs.set(volume.name, dir);
    } else if (volume.persistentVolumeClaim) {
      const pvc = cache.find('pvcs', pod.metadata.namespace, volume.persistentVolumeClaim.claimName);
      const pv = pvc?.spec?.volumeName ? cache.find('pvs', undefined, pvc.spec.volumeName) : undefined;
      const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
      if (!path || pvc.status?.phase !== 'Bound')
        throw new MissingReference(`PVC ${volume.persistentVolumeClaim.claimName} not bound`);
      mkdirSync(path, { recursive: true });
      dirs.set(volume.name, path);
    } else if (volume.hostPath) {
      dirs.set(volume.name, volume.hostPath.path);
    } else throw new Error(`volume ${volume.name}: unsupported source ${Object.keys(volume).join(',')}`);
  }
  return dirs;
}

export function forgetTokens(uid: string): void {
  for (const key of tokens.keys()) if (key.startsWith(`${uid}/`)) tokens.delete(key);
}
