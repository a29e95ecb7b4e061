// A container's environment as the real kubelet computes it: plain values, secretKeyRef,
// configMapKeyRef, fieldRef (metadata.*, status.podIP, spec.nodeName, ...), envFrom, and $(VAR)
// expansion against the variables defined before. Missing non-optional references are reported so
// the pod waits, as CreateContainerConfigError does.
import type { Cache } from './cache.ts';
import type { Obj } from './types.ts';

export class MissingReference extends Error {}

function fieldValue(pod: Obj, podIP: string, path: string): string {
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return pod.metadata.annotations?.[annotation[1] ?? ''] ?? '';
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return pod.metadata.labels?.[label[1] ?? ''] ?? '';
  const values: Record<string, string> = {
    'metadata.name': pod.metadata.name,
    'metadata.namespace': pod.metadata.namespace,
    'metadata.uid': pod.metadata.uid,
    'spec.nodeName': pod.spec.nodeName,
    'spec.serviceAccountName': pod.spec.serviceAccountName ?? 'default',
    'status.podIP': podIP,
    'status.podIPs': podIP,
    'status.hostIP': '127.0.0.1',
    'status.hostIPs': '127.0.0.1',
  };
  const value = values[path];
  if (value === undefined) throw new Error(`unsupported fieldRef ${path}`);
  return value;
}

/** Replaces $(NAME) with defined values; $$ escapes, unknown references stay as written. */
export function expand(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in vars ? (vars[name] ?? '') : match;
  });
}

function keyOf(
  cache: Cache,
  kind: 'secrets' | 'configmaps',
  namespace: string,
  ref: Obj,
): string | undefined {
  const obj = cache.find(kind, namespace, ref.name);
  const raw = obj?.data?.[ref.key] ?? (kind === 'configmaps' ? undefined : obj?.stringData?.[ref.key]);
  if (raw === undefined) {
    if (ref.optional) return undefined;
    throw new MissingReference(`${kind} ${namespace}/${ref.name} key ${ref.key} not found`);
  }
  return kind === 'secrets' ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

export function containerEnv(
  cache: Cache,
  pod: Obj,
  container: Obj,
  podIP: string,
  base: Record<string, string>,
): Record<string, string> {
  const ns = pod.metadata.namespace;
  const vars: Record<string, string> = { ...base };
  for (const from of container.envFrom ?? []) {
    const kind = from.secretRef ? 'secrets' : 'configmaps';
    const ref = from.secretRef ?? from.configMapRef;
    const obj = cache.find(kind, ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new MissingReference(`${kind} ${ns}/${ref.name} not found`);
    }
    for (const [k, v] of Object.entries(obj.data ?? {})) {
      vars[`${from.prefix ?? ''}${k}`] =
        kind === 'secrets' ? Buffer.from(String(v), 'base64').toString('utf8') : String(v);
    }
  }
  for (const e of container.env ?? []) {
    const from = e.valueFrom;
    let value: string | undefined;
    if (!from) value = expand(e.value ?? '', vars);
    else if (from.fieldRef) value = fieldValue(pod, podIP, from.fieldRef.fieldPath);
    else if (from.secretKeyRef) value = keyOf(cache, 'secrets', ns, from.secretKeyRef);
    else if (from.configMapKeyRef) value = keyOf(cache, 'configmaps', ns, from.configMapKeyRef);
    else if (from.resourceFieldRef) value = '0';
    if (value !== undefined) vars[e.name] = value;
  }
  return vars;
}

export { fieldValue };
