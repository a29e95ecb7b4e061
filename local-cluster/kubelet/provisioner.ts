// The storage provisioner the cluster lacks: every pending PVC gets a PV pre-bound to it (claimRef),
// backed by a host directory under <dir>/pv/<pv-name> (mode 0777), so the real PV controller binds
// them and the StatefulSet controller's volumeClaimTemplates work. The directory lives as long as
// the PVC does; PVs released by a deleted PVC are deleted with their directory.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type Api } from './api.ts';
import type { Cache } from './cache.ts';

export async function provision(api: Api, cache: Cache, dir: string): Promise<void> {
  const pvs = cache.all('pvs');
  for (const pvc of cache.all('pvcs')) {
    if (pvc.spec.volumeName || pvc.status?.phase !== 'Pending' || pvc.metadata.deletionTimestamp) continue;
    const name = `pvc-${pvc.metadata.uid}`;
    if (pvs.some((pv) => pv.metadata.name === name)) continue;
    // World-writable, as kind's local-path-provisioner makes its directories: a real node's kubelet
    // (NATS_WARDEN_REAL_NODES=1) applies no fsGroup to a hostPath volume, and the pods run as non-root.
    const path = join(dir, 'pv', name);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o777);
    try {
      await api.call('POST', '/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, labels: { 'nats-warden.io/process-kubelet': 'true' } },
        spec: {
          capacity: { storage: pvc.spec.resources?.requests?.storage ?? '1Gi' },
          accessModes: pvc.spec.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Retain',
          storageClassName: pvc.spec.storageClassName ?? '',
          volumeMode: pvc.spec.volumeMode ?? 'Filesystem',
          hostPath: { path, type: 'DirectoryOrCreate' },
          claimRef: {
            apiVersion: 'v1',
            kind: 'PersistentVolumeClaim',
            namespace: pvc.metadata.namespace,
            name: pvc.metadata.name,
            uid: pvc.metadata.uid,
          },
        },
      });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  for (const pv of pvs) {
    if (pv.metadata.labels?.['nats-warden.io/process-kubelet'] !== 'true' || pv.status?.phase !== 'Released')
      continue;
    await api.call('DELETE', `/api/v1/persistentvolumes/${pv.metadata.name}`).catch(() => undefined);
    rmSync(pv.spec.hostPath.path, { recursive: true, force: true });
  }
}
