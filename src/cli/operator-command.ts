// `nats-warden operator [flags]`: runs the operator until SIGTERM (main.ts answers --help). Its flags and environment
// variables are defined in operator-options.ts (`nats-warden operator --help`, docs/operator.md).
// In-cluster configuration is used when no kubeconfig is given and KUBECONFIG is unset.
import { natsAccountController } from '../controllers/natsaccount/controller.ts';
import { natsClusterController } from '../controllers/natscluster/controller.ts';
import { natsUserController } from '../controllers/natsuser/controller.ts';
import { LoadedIncludes } from '../controllers/loaded-includes.ts';
import { runManager } from '../runtime/manager.ts';
import { parseOperatorArgs, type OperatorOptions } from './operator-options.ts';

export { parseOperatorArgs, type OperatorOptions };

/** The controllers this operator runs; a new controller is one more line here. */
const controllers = (options: OperatorOptions) => {
  // What each server's auth include holds: the NatsCluster controller renders and remembers it, the
  // NatsAccount controller reads it (Config mode, loaded-includes.ts).
  const loadedIncludes = new LoadedIncludes();
  return [
    natsClusterController(options, loadedIncludes),
    natsAccountController(options.clusterDomain, loadedIncludes),
    natsUserController(options.clusterDomain),
  ];
};

export async function operatorCommand(argv: string[]): Promise<number> {
  const options = parseOperatorArgs(argv);
  const operator = await runManager(options, controllers(options));
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
  });
  await operator.stop();
  return 0;
}
