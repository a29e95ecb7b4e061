// The storage provisioner of a cluster whose only nodes are the real ones (NATS_WARDEN_REAL_NODES=only),
// where no process kubelet provisions claims. It does what kind's local-path-provisioner does: every
// pending PVC without a volume gets a hostPath PV pre-bound to it (claimRef), backed by a directory
// under <cluster>/pv/<pv-name> made world-writable (mode 0777, as local-path-provisioner makes its
// directories), because the kubelet applies no fsGroup to hostPath volumes and the pods run as
// non-root. All nodes share this machine's disk, so the directory is the same wherever the pod lands.
// PVs released by a deleted PVC are deleted with their directory.
//   node local-cluster/node/storage-provisioner.ts --kubeconfig=F --dir=D
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, connect, type Api } from '../kubelet/api.ts';
import type { Obj } from '../kubelet/types.ts';

const LABEL = 'nats-warden.io/storage-provisioner';

async function provisionOnce(api: Api, dir: string): Promise<void> {
  const [pvcs, pvs] = await Promise.all([
    api.list('/api/v1/persistentvolumeclaims'),
    api.list('/api/v1/persistentvolumes'),
  ]);
  for (const pvc of pvcs as Obj[]) {
    if (pvc.spec.volumeName || pvc.status?.phase !== 'Pending' || pvc.metadata.deletionTimestamp) continue;
    const name = `pvc-${pvc.metadata.uid}`;
    if (pvs.some((pv: Obj) => pv.metadata.name === name)) continue;
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o777);
    try {
      await api.call('POST', '/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, labels: { [LABEL]: 'true' } },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: pvc.spec.storageClassName ?? '',
          volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
          hostPath: { path, type: 'Directory' },
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: pvc.metadata.namespace,
            name: pvc.metadata.name,
            uid: pvc.metadata.uid,
          },
        },
      });
      process.stderr.write(`storage: ${pvc.metadata.namespace}/${pvc.metadata.name} -> ${name}\n`);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  for (const pv of pvs as Obj[]) {
    if (pv.metadata.labels?.[LABEL] !== 'true' || pv.status?.phase !== 'Released') continue;
    await api.call('DELETE', `/api/v1/persistentvolumes/${pv.metadata.name}`).catch(() => undefined);
    rmSync(pv.spec.hostPath.path, { recursive: true, force: true });
  }
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
