// The storage provisioner the cluster lacks: every pending PVC gets a PV pre-bound to it (claimRef),
// backed by a host directory named after the PV, so the real PV controller binds them and the
// StatefulSet controller's volumeClaimTemplates work. The directory lives as long as the PVC does;
// PVs released by a deleted PVC are deleted with their directory. The directory is made here, mode
// 0777 as rancher's local-path-provisioner makes its own: a real node's kubelet ignores fsGroup for
// hostPath volumes and would create it root-owned 0755, unwritable by a non-root pod (nats-server runs
// as uid 1000 and keeps JetStream there). node/storage-provisioner.ts runs it on a 1 s loop.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import type { Obj } from '../types.ts';
import { ApiError, type Api } from './api-client.ts';

export interface ProvisionerOptions {
  /** The label that marks the PVs this provisioner made (and may delete once released). */
  label: string;
  /** The host directory of a PV. */
  directoryOf: (pvName: string) => string;
  /** Told of each PV made. */
  onProvisioned?: (pvc: Obj, pvName: string) => void;
}

/** One pass: a PV for every pending PVC without one; released PVs of ours deleted with their directory. */
export async function provisionClaims(api: Api, pvcs: Obj[], pvs: Obj[], options: ProvisionerOptions) {
  for (const pvc of pvcs) {
    if (pvc.spec.volumeName || pvc.status?.phase !== 'Pending' || pvc.metadata.deletionTimestamp) continue;
    const name = `pvc-${pvc.metadata.uid}`;
    if (pvs.some((pv) => pv.metadata.name === name)) continue;
    const path = options.directoryOf(name);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o777); // not through mkdir's mode, which the umask narrows
    try {
      await api.call('POST', '/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name, labels: { [options.label]: 'true' } },
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
      options.onProvisioned?.(pvc, name);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) throw error;
    }
  }
  for (const pv of pvs) {
    if (pv.metadata.labels?.[options.label] !== 'true' || pv.status?.phase !== 'Released') continue;
    await api.call('DELETE', `/api/v1/persistentvolumes/${pv.metadata.name}`).catch(() => undefined);
    rmSync(pv.spec.hostPath.path, { recursive: true, force: true });
  }
}
