// Where things are: the repository, this package (local-cluster/), and the local control plane's
// state: `.cluster/` at the repository root (git-ignored), or NATS_WARDEN_CLUSTER_DIR (read on
// every use, so a test can run a second cluster elsewhere).
// Every file the harness and the nodes write lives under it, so `cluster down` can
// remove it and nothing leaks into the checkout or the home directory.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** local-cluster/, the package's own directory. */
export const packageRoot = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(packageRoot, '..');
const root = () => process.env.NATS_WARDEN_CLUSTER_DIR ?? join(repoRoot, '.cluster');

export const paths = {
  get root() {
    return root();
  },
  get state() {
    return join(root(), 'state.json');
  },
  get kubeconfig() {
    return join(root(), 'kubeconfig');
  },
  get pki() {
    return join(root(), 'pki');
  },
  get logs() {
    return join(root(), 'logs');
  },
  get etcdData() {
    return join(root(), 'etcd');
  },
  kubeconfigFor: (component: string) => join(root(), 'pki', `${component}.kubeconfig`),
  log: (component: string) => join(root(), 'logs', `${component}.log`),
};
