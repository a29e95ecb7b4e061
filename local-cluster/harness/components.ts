// The command lines of the control-plane components, all on loopback with the ports the harness
// picked. Only flags that matter here are set; everything else is each component's default, so
// what runs is the real Kubernetes code in its ordinary configuration.
import { join } from 'node:path';
import { toolPath } from '../tools/tools.ts';
import { packageRoot, paths } from '../paths.ts';
import type { Pki } from './pki.ts';

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  certManagerMetrics: number;
  certManagerHealth: number;
}

export const nodeNames = ['warden-node-1', 'warden-node-2', 'warden-node-3'];
export const serviceCidr = '10.96.0.0/16';

export function etcd(ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    toolPath('etcd'),
    '--name=e2e',
    `--data-dir=${paths.etcdData}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=e2e=${peer}`,
    '--unsafe-no-fsync',
    '--log-level=warn',
  ];
}

/** With real nodes, the API server also authorizes kubelets as nodes and reaches their API (logs, exec). */
/**
 * The API server's address for pods on real nodes: on the loopback of the cluster's network namespace
 * (10.245.0.0/24 is no node's slot), reached from a pod through its bridge gateway. The apiserver
 * advertises it, so its own endpoint reconciler points the `kubernetes` Service there and kube-proxy
 * routes 10.96.0.1:443 to it: in-cluster clients (the operator's pods) work as in any cluster.
 */
export const apiserverPodAddress = '10.245.0.1';

function realNodeFlags(pki: Pki): string[] {
  const admin = pki.client('admin');
  return [
    // Every address of the cluster's private network namespace (never the machine's own).
    '--bind-address=0.0.0.0',
    `--advertise-address=${apiserverPodAddress}`,
    '--endpoint-reconciler-type=lease',
    '--authorization-mode=Node,RBAC',
    `--kubelet-client-certificate=${admin.cert}`,
    `--kubelet-client-key=${admin.key}`,
    '--kubelet-preferred-address-types=InternalIP',
  ];
}

export function apiserver(ports: Ports, pki: Pki, realNodes = false): string[] {
  const flags = [
    toolPath('kube-apiserver'),
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${ports.apiserver}`,
    '--advertise-address=127.0.0.1',
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=RBAC',
    // On top of the defaults, as production distributions (OpenShift among them) run it: setting
    // blockOwnerDeletion on a child's owner reference needs update on the owner's finalizers, so a
    // chart that lacks that rule fails here as it would there (e2e/install.e2e.ts).
    '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    `--cert-dir=${join(paths.pki, 'apiserver-generated')}`,
    '--profiling=false',
    '--v=1',
  ];
  if (!realNodes) return flags;
  const replaced = [
    '--authorization-mode=',
    '--bind-address=',
    '--advertise-address=',
    '--endpoint-reconciler-type=',
  ];
  return [...flags.filter((f) => !replaced.some((r) => f.startsWith(r))), ...realNodeFlags(pki)];
}

function clientFlags(component: string): string[] {
  const kubeconfig = paths.kubeconfigFor(component);
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
  ];
}

export function controllerManager(ports: Ports, pki: Pki): string[] {
  return [
    toolPath('kube-controller-manager'),
    ...clientFlags('kube-controller-manager'),
    `--secure-port=${ports.controllerManager}`,
    `--cert-dir=${join(paths.pki, 'kcm-generated')}`,
    `--service-account-private-key-file=${pki.saKey}`,
    `--root-ca-file=${pki.caCert}`,
    '--use-service-account-credentials=true',
    '--controllers=*',
    `--service-cluster-ip-range=${serviceCidr}`,
    '--cluster-name=nats-warden-e2e',
    '--v=1',
  ];
}

export function scheduler(ports: Ports): string[] {
  return [
    toolPath('kube-scheduler'),
    ...clientFlags('kube-scheduler'),
    `--secure-port=${ports.scheduler}`,
    `--cert-dir=${join(paths.pki, 'scheduler-generated')}`,
    '--v=1',
  ];
}

export function certManager(ports: Ports): string[] {
  return [
    toolPath('cert-manager-controller'),
    `--kubeconfig=${paths.kubeconfigFor('cert-manager')}`,
    '--leader-elect=false',
    '--cluster-resource-namespace=cert-manager',
    `--metrics-listen-address=127.0.0.1:${ports.certManagerMetrics}`,
    `--healthz-listen-address=127.0.0.1:${ports.certManagerHealth}`,
    '--v=2',
  ];
}

export function kubelet(ports: Ports): string[] {
  return [
    process.execPath,
    join(packageRoot, 'kubelet', 'main.ts'),
    `--kubeconfig=${paths.kubeconfigFor('kubelet')}`,
    `--dir=${paths.kubelet}`,
    `--nodes=${nodeNames.join(',')}`,
    `--apiserver-port=${ports.apiserver}`,
  ];
}
