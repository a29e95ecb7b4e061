// `nats-warden operator [--kubeconfig PATH] [--namespace NS ...]`: runs the operator until SIGTERM.
// In-cluster configuration is used when no kubeconfig is given and KUBECONFIG is unset.
import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_NATS_IMAGE,
  DEFAULT_OPERATOR_NAMESPACE,
  OPERATOR_IMAGE,
} from '../render/index.ts';
import { natsAccountController } from '../controllers/natsaccount/controller.ts';
import { natsClusterController } from '../controllers/natscluster/controller.ts';
import { natsUserController } from '../controllers/natsuser/controller.ts';
import type { ReconcilerOptions } from '../controllers/natscluster/reconciler.ts';
import { runManager, type ManagerOptions } from '../runtime/manager.ts';
import { parseOptions } from './args.ts';

export type OperatorOptions = ManagerOptions & ReconcilerOptions;

/** The controllers this operator runs; a new controller is one more line here. */
const controllers = (options: OperatorOptions) => [
  natsClusterController(options),
  natsAccountController(options.clusterDomain),
  natsUserController(options.clusterDomain),
];

export function parseOperatorArgs(argv: string[]): OperatorOptions {
  const v = parseOptions(argv, {
    kubeconfig: { type: 'string' },
    namespace: { type: 'string', short: 'n', multiple: true },
    'health-addr': { type: 'string', default: '0.0.0.0:8081' },
    'no-leader-election': { type: 'boolean', default: false },
    'leader-election-namespace': { type: 'string', default: process.env.POD_NAMESPACE ?? 'default' },
    identity: { type: 'string' },
    'cluster-domain': { type: 'string', default: DEFAULT_CLUSTER_DOMAIN },
    'nats-image': { type: 'string', default: DEFAULT_NATS_IMAGE },
    'operator-namespace': {
      type: 'string',
      default: process.env.POD_NAMESPACE ?? DEFAULT_OPERATOR_NAMESPACE,
    },
    workers: { type: 'string', default: '2' },
  });
  const [host, port] = (v['health-addr'] ?? '0.0.0.0:8081').split(':');
  const identity = v.identity ?? process.env.POD_NAME;
  return {
    ...(v.kubeconfig ? { kubeconfig: v.kubeconfig } : {}),
    namespaces: v.namespace ?? [],
    healthHost: host || '0.0.0.0',
    healthPort: Number(port),
    leaderElection: !v['no-leader-election'],
    leaseNamespace: v['leader-election-namespace'] ?? 'default',
    ...(identity ? { identity } : {}),
    clusterDomain: v['cluster-domain'] ?? DEFAULT_CLUSTER_DOMAIN,
    defaultImage: v['nats-image'] ?? DEFAULT_NATS_IMAGE,
    operatorImage: OPERATOR_IMAGE,
    operatorNamespace: v['operator-namespace'] ?? DEFAULT_OPERATOR_NAMESPACE,
    workers: Number(v.workers ?? 2),
  };
}

export async function operatorCommand(argv: string[]): Promise<number> {
  const options = parseOperatorArgs(argv);
  const operator = await runManager(options, controllers(options));
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await operator.stop();
  return 0;
}
