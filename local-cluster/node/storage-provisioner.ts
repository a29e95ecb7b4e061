// The local cluster's storage provisioner. It does what kind's local-path-provisioner does: every
// pending PVC without a volume gets a hostPath PV pre-bound to it (claimRef), backed by a directory
// under <cluster>/pv/<pv-name> made world-writable (mode 0777, as local-path-provisioner makes its
// directories), because the kubelet applies no fsGroup to hostPath volumes and the pods run as
// non-root. All nodes share this machine's disk, so the directory is the same wherever the pod lands.
// PVs released by a deleted PVC are deleted with their directory.
//   node local-cluster/node/storage-provisioner.ts --kubeconfig=F --dir=D
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Obj } from '../types.ts';
import { connect, type Api } from './api-client.ts';
import { provisionClaims } from './provision-claims.ts';

async function provisionOnce(api: Api, dir: string): Promise<void> {
  const [pvcs, pvs] = await Promise.all([
    api.list('/api/v1/persistentvolumeclaims'),
    api.list('/api/v1/persistentvolumes'),
  ]);
  await provisionClaims(api, pvcs as Obj[], pvs as Obj[], {
    label: 'nats-warden.io/storage-provisioner',
    directoryOf: (name) => join(dir, name),
    onProvisioned: (pvc, name) =>
      process.stderr.write(`storage: ${pvc.metadata.namespace}/${pvc.metadata.name} -> ${name}\n`),
  });
}

function flag(name: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!found) throw new Error(`missing --${name}=`);
  return found.slice(name.length + 3);
}

{
  const dir = flag('dir');
  mkdirSync(dir, { recursive: true });
  const api = connect(flag('kubeconfig'));
  let running = false;
  setInterval(() => {
    if (running) return;
    running = true;
    provisionOnce(api, dir)
      .catch((error: unknown) => process.stderr.write(`storage: ${String(error)}\n`))
      .finally(() => (running = false));
  }, 1_000);
  process.stderr.write(`storage: provisioning hostPath volumes under ${dir}\n`);
  process.on('SIGTERM', () => process.exit(0));
}
