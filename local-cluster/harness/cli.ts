// `npm run cluster -- up|down|status`: the local cluster from the command line. `up` returns once
// everything is healthy and leaves the processes running in the background. Pods' logs: `kubectl
// logs` with the KUBECONFIG that `up` prints (the nodes are real kubelets).
import { down, status, up } from './control-plane.ts';

const usage = 'usage: cluster up | down | status';

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
    default:
      process.stderr.write(usage + '\n');
      return 2;
  }
}

process.exitCode = await main(process.argv[2]);
