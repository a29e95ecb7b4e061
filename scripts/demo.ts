// `npm run demo`: the main job on the embedded default. Brings up the local control plane (real
// kube-apiserver, controllers, scheduler and cert-manager, with the process kubelet), starts the
// operator, applies examples/secure-cluster.yaml (3 replicas, mTLS, route auth, JetStream), waits
// for Ready, proves a TLS client round trip, and says how to connect and how to stop.
import { join } from 'node:path';
import { kubectl, repoRoot, toolPath, up } from '@nats-warden/local-cluster';
import { apiFor, secretData, serviceAddresses, waitForCondition } from '../e2e/operator/cluster-api.ts';
import { connectWith, roundTrip, type Credentials } from '../e2e/operator/nats-client.ts';
import { startOperator } from '../e2e/operator/operator-process.ts';

const NAMESPACE = 'nats-demo';
const CLUSTER = 'secure';
const say = (line: string) => process.stdout.write(`demo: ${line}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const kubeconfig = await up();
  const operator = await startOperator(kubeconfig);
  say(`operator running (pid ${operator.pid}, log ${operator.log})`);
  await kubectl(kubeconfig, ['create', 'namespace', NAMESPACE]).catch(() => undefined);
  await kubectl(kubeconfig, ['apply', '-f', join(repoRoot, 'examples', 'secure-cluster.yaml')]);
  say(`applied examples/secure-cluster.yaml; waiting for NatsCluster ${NAMESPACE}/${CLUSTER} to be Ready`);
  const api = apiFor(kubeconfig);
  const applied = Date.now();
  await waitForCondition(api, NAMESPACE, CLUSTER, 'Ready', 'True', 600_000, (line) => say(`  ${line}`));
  say(`Ready ${Math.round((Date.now() - applied) / 1000)} s after apply`);

  const credentials = (await secretData(api, NAMESPACE, 'app-nats-credentials')) as unknown as Credentials;
  const certificate = await secretData(api, NAMESPACE, 'app-nats-client-tls');
  const [address] = await serviceAddresses(api, NAMESPACE, CLUSTER);
  if (!address) throw new Error(`Service ${CLUSTER} has no ready address`);
  const nc = await connectWith(address, credentials, certificate as never, `${CLUSTER}.${NAMESPACE}.svc`);
  const echoed = await roundTrip(nc);
  await nc.close();
  say(`TLS round trip through Service ${CLUSTER} (${address}): "${echoed}"`);

  say(`done in ${Math.round((Date.now() - started) / 1000)} s.

  Connect:   npm run -s nats -- pub demo.hello world        (the nats CLI as user app, through the Service)
             npm run -s nats -- sub 'demo.>'
  Inspect:   ip netns exec nats-warden ${toolPath('kubectl')} --kubeconfig ${kubeconfig} -n ${NAMESPACE} get natsclusters,pods,certificates
             (the control plane and its pods live in the network namespace nats-warden)
  Stop all:  npm run cluster -- down`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `demo: failed: ${error instanceof Error ? error.message : String(error)}\n(the cluster is left running for inspection; npm run cluster -- down stops it)\n`,
  );
  process.exitCode = 1;
});
