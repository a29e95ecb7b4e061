// Cluster DNS for the local cluster: CoreDNS (built from the module proxy,
// versions.json) with its `kubernetes` plugin, run as a process on warden-real-1's address (like a
// host-network pod there), behind the `kube-dns` Service in kube-system at the address every real
// kubelet's clusterDNS names (node/config.ts). The Service has no selector: its one EndpointSlice,
// written here, points at CoreDNS, and kube-proxy carries pods' queries to it. No `forward`: there
// is no upstream resolver inside the cluster's network namespace, so only cluster names resolve.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../tools/tools.ts';
import { paths } from '../paths.ts';
import { clusterDnsIp, clusterDomain } from './config.ts';

const dir = () => join(paths.root, 'coredns');

/** What CoreDNS may read (as upstream's deployment manifest grants it), bound to its certificate's user. */
export const corednsRbac = [
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'system:coredns' },
    rules: [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'system:coredns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:coredns' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:coredns' }],
  },
];

/** The kube-dns Service at the cluster DNS address, and its EndpointSlice naming CoreDNS's address. */
export function kubeDnsService(serverIp: string, nodeName: string) {
  const ports = [
    { name: 'dns', protocol: 'UDP', port: 53 },
    { name: 'dns-tcp', protocol: 'TCP', port: 53 },
  ];
  return [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      spec: { clusterIP: clusterDnsIp, ports: ports.map((p) => ({ ...p, targetPort: 53 })) },
    },
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'kube-dns-coredns',
        namespace: 'kube-system',
        labels: {
          'kubernetes.io/service-name': 'kube-dns',
          // Not the endpointslice controller's: it leaves a slice it does not manage alone.
          'endpointslice.kubernetes.io/managed-by': 'local-cluster.nats-warden.io',
        },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [serverIp], conditions: { ready: true }, nodeName }],
      ports,
    },
  ];
}

/** Writes the Corefile; returns CoreDNS's command line. `ready` answers 200 once the kubernetes plugin has synced. */
export function corednsCommand(serverIp: string, readyPort: number): string[] {
  mkdirSync(dir(), { recursive: true });
  const corefile = [
    '.:53 {',
    `    bind ${serverIp}`,
    '    errors',
    `    ready 127.0.0.1:${readyPort}`,
    `    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {`,
    `        kubeconfig ${paths.kubeconfigFor('coredns')}`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    '        ttl 5',
    '    }',
    '    cache 5',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
  const file = join(dir(), 'Corefile');
  writeFileSync(file, corefile);
  return [toolPath('coredns'), '-conf', file];
}
