// Cluster DNS through a per-pod hosts file (bind-mounted at /etc/hosts). It carries what CoreDNS
// would answer: each pod's own name, `hostname.subdomain.ns.svc.cluster.local` for every pod with a
// hostname and subdomain, and each Service name resolving to its ready endpoints' pod addresses
// (all addresses the EndpointSlices list for headless services that publish not-ready ones).
// Short forms a pod's search path would complete are listed for names in its own namespace.
import type { Cache } from './cache.ts';
import type { Obj } from './types.ts';

const domain = 'cluster.local';

function names(fqdnWithoutDomain: string, ns: string, ownNs: string): string[] {
  // fqdnWithoutDomain = "<name>.<ns>.svc" or "<host>.<sub>.<ns>.svc"
  const parts = [
    `${fqdnWithoutDomain}.${domain}`,
    fqdnWithoutDomain,
    fqdnWithoutDomain.slice(0, -'.svc'.length),
  ];
  if (ns === ownNs) parts.push(fqdnWithoutDomain.slice(0, -`.${ns}.svc`.length));
  return parts;
}

export function hostsFile(
  cache: Cache,
  pod: Obj,
  podIP: string,
  podIPs: Map<string, string>,
  apiserver: string,
): string {
  const ns = pod.metadata.namespace;
  const lines = [
    '# Kubernetes-managed hosts file (process kubelet).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  const own = pod.spec.hostname ?? pod.metadata.name;
  const ownNames = pod.spec.subdomain ? [`${own}.${pod.spec.subdomain}.${ns}.svc.${domain}`, own] : [own];
  lines.push(`${podIP}\t${ownNames.join(' ')}`);
  lines.push(`${apiserver}\t${names(`kubernetes.default.svc`, 'default', ns).join(' ')}`);
  for (const other of cache.all('pods')) {
    const ip = podIPs.get(other.metadata.uid) ?? other.status?.podIP;
    if (!ip || !other.spec.hostname || !other.spec.subdomain || other.metadata.deletionTimestamp) continue;
    const ons = other.metadata.namespace;
    lines.push(
      `${ip}\t${names(`${other.spec.hostname}.${other.spec.subdomain}.${ons}.svc`, ons, ns).join(' ')}`,
    );
  }
  for (const slice of cache.all('endpointslices')) {
    const service = slice.metadata.labels?.['kubernetes.io/service-name'];
    if (!service || slice.addressType === 'FQDN') continue;
    const sns = slice.metadata.namespace;
    const svcNames = names(`${service}.${sns}.svc`, sns, ns).join(' ');
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      for (const address of endpoint.addresses ?? []) lines.push(`${address}\t${svcNames}`);
    }
  }
  return lines.join('\n') + '\n';
}
