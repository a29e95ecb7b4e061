// `nats-warden operator [--kubeconfig PATH] [--namespace NS ...]`: runs the operator until SIGTERM.
// In-cluster configuration is used when no kubeconfig is given and KUBECONFIG is unset.
import { DEFAULT_CLUSTER_DOMAIN, DEFAULT_NATS_IMAGE } from '../render/index.ts';
import { runOperator, type OperatorOptions } from '../runtime/manager.ts';
import { InputError } from './documents.ts';
import { OPERATOR_IMAGE } from './render-command.ts';

export function parseOperatorArgs(argv: string[]): OperatorOptions {
  const options: OperatorOptions = {
    namespaces: [],
    healthHost: '0.0.0.0',
    healthPort: 8081,
    leaderElection: true,
    leaseNamespace: process.env.POD_NAMESPACE ?? 'default',
    clusterDomain: DEFAULT_CLUSTER_DOMAIN,
    defaultImage: DEFAULT_NATS_IMAGE,
    operatorImage: OPERATOR_IMAGE,
    workers: 2,
    ...(process.env.POD_NAME ? { identity: process.env.POD_NAME } : {}),
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new InputError(`${arg} needs a value`);
      return next;
    };
    switch (arg) {
      case '--kubeconfig':
        options.kubeconfig = value();
        break;
      case '--namespace':
      case '-n':
        options.namespaces.push(value());
        break;
      case '--health-addr': {
        const [host, port] = value().split(':');
        options.healthHost = host || '0.0.0.0';
        options.healthPort = Number(port);
        break;
      }
      case '--no-leader-election':
        options.leaderElection = false;
        break;
      case '--leader-election-namespace':
        options.leaseNamespace = value();
        break;
      case '--identity':
        options.identity = value();
        break;
      case '--cluster-domain':
        options.clusterDomain = value();
        break;
      case '--nats-image':
        options.defaultImage = value();
        break;
      case '--workers':
        options.workers = Number(value());
        break;
      default:
        throw new InputError(`unknown argument ${arg}`);
    }
  }
  return options;
}

export async function operatorCommand(argv: string[]): Promise<number> {
  const operator = await runOperator(parseOperatorArgs(argv));
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await operator.stop();
  return 0;
}
