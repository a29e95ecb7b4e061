// The command lines of the control-plane components, all on loopback with the ports the harness
// picked. Only flags that matter here are set; everything else is each component's default, so
// what runs is the real Kubernetes code in its ordinary configuration.
import { join } from 'node:path';
import { toolPath } from '../tools/tools.ts';
import { paths } from '../paths.ts';
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

/**
 * The API server's address for pods on real nodes: on the loopback of the cluster's network namespace
 * (10.245.0.0/24 is no node's slot), reached from a pod through its bridge gateway. The apiserver
 * advertises it, so its own endpoint reconciler points the `kubernetes` Service there and kube-proxy
 * routes 10.96.0.1:443 to it: in-cluster clients (the operator's pods) work as in any cluster.
 */
export const apiserverPodAddress = '10.245.0.1';

export function apiserver(ports: Ports, pki: Pki): string[] {
  const admin = pki.client('admin');
  return [
    toolPath('kube-apiserver'),
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    // Every address of the cluster's private network namespace (never the machine's own).
    '--bind-address=0.0.0.0',
    `--secure-port=${ports.apiserver}`,
    `--advertise-address=${apiserverPodAddress}`,
    '--endpoint-reconciler-type=lease',
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    // The Node authorizer for the kubelets, RBAC for everyone else.
    '--authorization-mode=Node,RBAC',
    // On top of the defaults, as production distributions (OpenShift among them) run it: setting
    // blockOwnerDeletion on a child's owner reference needs update on the owner's finalizers, so a
    // chart that lacks that rule fails here as it would there (e2e/install.e2e.ts).
    '--enable-admission-plugins=OwnerReferencesPermissionEnforcement',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    `--service-cluster-ip-range=${serviceCidr}`,
    '--allow-privileged=true',
    // The kubelets' API (logs, exec, port-forward), reached at each node's address.
    `--kubelet-client-certificate=${admin.cert}`,
    `--kubelet-client-key=${admin.key}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--cert-dir=${join(paths.pki, 'apiserver-generated')}`,
    '--profiling=false',
    '--v=1',
  ];
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
