// Where the local control plane keeps its state: `.cluster/` at the repository root (git-ignored).
// Every file the harness and the process kubelet write lives under it, so `cluster down` can
// remove it whole and nothing leaks into the checkout or the home directory.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const clusterDir = process.env.NATS_WARDEN_CLUSTER_DIR ?? join(repoRoot, '.cluster');

export const paths = {
  root: clusterDir,
  state: join(clusterDir, 'state.json'),
  kubeconfig: join(clusterDir, 'kubeconfig'),
  pki: join(clusterDir, 'pki'),
  logs: join(clusterDir, 'logs'),
  etcdData: join(clusterDir, 'etcd'),
  kubelet: join(clusterDir, 'kubelet'),
  kubeconfigFor: (component: string) => join(clusterDir, 'pki', `${component}.kubeconfig`),
  log: (component: string) => join(clusterDir, 'logs', `${component}.log`),
};
