// Node registration and heartbeat: each emulated node is a Node object with capacity, addresses and
// a Ready condition, plus a Lease in kube-node-lease renewed every 10 s, as a real kubelet keeps
// them, so the node lifecycle controller neither taints nor evicts.
import { ApiError, microTime, time, type Api } from './api.ts';

const capacity = { cpu: '8', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' };

function conditions() {
  const now = time();
  const c = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: reason,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return [
    c('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
    c('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
    c('PIDPressure', 'False', 'KubeletHasSufficientPID'),
    c('Ready', 'True', 'KubeletReady'),
  ];
}

async function register(api: Api, name: string): Promise<void> {
  const labels = {
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
  };
  try {
    await api.call('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
  await api.mergePatch(`/api/v1/nodes/${name}/status`, {
    status: {
      capacity,
      allocatable: capacity,
      conditions: conditions(),
      addresses: [
        { type: 'InternalIP', address: '127.0.0.1' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.37.2-process',
        operatingSystem: 'linux',
        architecture: 'amd64',
        containerRuntimeVersion: 'process://nats-warden-e2e',
        kernelVersion: '',
        osImage: 'process kubelet',
        kubeProxyVersion: '',
        machineID: name,
        systemUUID: name,
        bootID: name,
      },
    },
  });
}

async function renewLease(api: Api, name: string): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
  const spec = { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() };
  const existing = await api.get(path);
  if (existing) await api.mergePatch(path, { spec });
  else {
    await api.call('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec,
    });
  }
}

/** Registers the nodes and keeps them alive; returns a function that stops the heartbeat. */
export async function runNodes(api: Api, names: string[]): Promise<() => void> {
  for (const name of names) await register(api, name);
  const beat = async () => {
    for (const name of names) {
      try {
        await renewLease(api, name);
        await api.mergePatch(`/api/v1/nodes/${name}/status`, { status: { conditions: conditions() } });
      } catch (error) {
        process.stderr.write(`kubelet: heartbeat ${name}: ${String(error)}\n`);
      }
    }
  };
  await beat();
  const timer = setInterval(() => void beat(), 10_000);
  return () => clearInterval(timer);
}
