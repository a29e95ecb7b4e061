// The provisioner's PV directory must be writable by a non-root pod: a real node's kubelet neither
// applies fsGroup to hostPath volumes nor loosens a directory that exists, so the mode made here is
// the one the pod sees (nats-server as uid 1000 keeps JetStream there).
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from './api-client.ts';
import { provisionClaims } from './provision-claims.ts';

describe('provisionClaims', () => {
  test('makes the PV directory mode 0777 before creating the PV that names it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'provisioner-'));
    const pvc = {
      metadata: { name: 'data-secure-0', namespace: 'ns', uid: 'u1' },
      spec: { resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    };
    const created: { path: string; mode: number }[] = [];
    const api = {
      call: async (_method: string, _path: string, body: { spec: { hostPath: { path: string } } }) => {
        const path = body.spec.hostPath.path;
        created.push({ path, mode: statSync(path).mode & 0o777 });
      },
    } as unknown as Api;
    const umask = process.umask(0o022);
    try {
      await provisionClaims(api, [pvc], [], { label: 'test', directoryOf: (name) => join(dir, 'pv', name) });
    } finally {
      process.umask(umask);
    }
    expect(created).toEqual([{ path: join(dir, 'pv', 'pvc-u1'), mode: 0o777 }]);
    rmSync(dir, { recursive: true, force: true });
  });
});
