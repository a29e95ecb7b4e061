// `npm run cluster -- up|down|status|logs`: the local control plane from the command line. `up`
// returns once everything is healthy and leaves the processes running in the background. `logs`
// stands in for `kubectl logs` on the process kubelet, which serves no kubelet API; a pod on a real
// node is asked through `kubectl logs` itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { down, status, up } from './control-plane.ts';
import { kubectl } from './kubectl.ts';
import { paths } from '../paths.ts';
import { realNodeNames } from '../node/real-node.ts';

const usage = 'usage: cluster up | down | status | logs NAMESPACE/POD [CONTAINER]';

async function logs(target: string | undefined, container: string | undefined): Promise<number> {
  const [namespace, name] = (target ?? '').split('/');
  if (!namespace || !name) throw new Error(usage);
  const pod = JSON.parse(
    await kubectl(paths.kubeconfig, ['get', 'pod', name, '-n', namespace, '-o', 'json']),
  );
  const which = container ?? pod.spec.containers[0].name;
  if (realNodeNames.includes(pod.spec.nodeName)) {
    process.stdout.write(await kubectl(paths.kubeconfig, ['logs', '-n', namespace, name, '-c', which]));
    return 0;
  }
  const file = join(paths.kubelet, 'pods', pod.metadata.uid, 'logs', `${which}.log`);
  if (!existsSync(file)) throw new Error(`no log for ${namespace}/${name} container ${which} (${file})`);
  process.stdout.write(readFileSync(file));
  return 0;
}

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up':
      process.stdout.write(`export KUBECONFIG=${await up()}\n`);
      return 0;
    case 'down':
      await down();
      process.stdout.write('down\n');
      return 0;
    case 'status': {
      const s = await status();
      process.stdout.write(s.lines.join('\n') + '\n');
      return s.up ? 0 : 1;
    }
    case 'logs':
      return logs(process.argv[3], process.argv[4]);
    default:
      process.stderr.write(usage + '\n');
      return 2;
  }
}

process.exitCode = await main(process.argv[2]);
