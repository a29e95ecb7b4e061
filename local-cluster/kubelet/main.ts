// The process kubelet (test infrastructure): registers the given nodes and runs the pods the
// scheduler binds to them as local processes. Only the container runtime is emulated; scheduling,
// controllers, admission and the API are the real Kubernetes code.
//   node local-cluster/kubelet/main.ts --kubeconfig=F --dir=D --nodes=a,b,c --apiserver-port=P
import { mkdirSync } from 'node:fs';
import { connect } from './api.ts';
import { Cache } from './cache.ts';
import { makeBinDir } from './images.ts';
import { releasePodAddresses, routePodAddresses } from './ipam.ts';
import { Manager } from './manager.ts';
import { runNodes } from './nodes.ts';

function flag(name: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!found) throw new Error(`missing --${name}=`);
  return found.slice(name.length + 3);
}

const dir = flag('dir');
mkdirSync(dir, { recursive: true });
const api = connect(flag('kubeconfig'));
const nodes = flag('nodes').split(',');
const binDir = makeBinDir(dir);
routePodAddresses();
const cache = new Cache(api);
const manager = new Manager(api, cache, dir, nodes, binDir, Number(flag('apiserver-port')));
const stopHeartbeat = await runNodes(api, nodes);
cache.start(1_000, () => manager.tick());
process.stderr.write(`kubelet: running nodes ${nodes.join(', ')}\n`);

const shutdown = (signal: string) => {
  process.stderr.write(`kubelet: ${signal}, killing all pods\n`);
  stopHeartbeat();
  cache.stop();
  manager.killAll();
  releasePodAddresses();
  setTimeout(() => process.exit(0), 500);
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
