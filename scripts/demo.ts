// `npm run demo`: the main job on the embedded default. Brings up the local cluster (real
// kube-apiserver, controllers, scheduler and cert-manager; three real nodes: kubelet, containerd,
// runc; local-cluster/harness/named-cluster.sh), installs the operator as pods from
// manifests/install.yaml under its own ServiceAccount, applies examples/secure-cluster.yaml (3 replicas, mTLS, route auth, JetStream), waits
// for Ready, proves a TLS client round trip through the client Service, prints the figures and
// says how to connect and how to stop. On failure (or once the NatsCluster has been Stalled for two
// minutes) it shows the operator's log tail and the NatsCluster's conditions, and leaves
// everything running for inspection.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { imageArchive, kubectl, paths, repoRoot, toolPath, up } from '@nats-warden/local-cluster';
import { apiFor, natsCluster, secretData, waitForCondition } from '../e2e/operator/cluster-api.ts';
import { connectWith, roundTrip, type Credentials } from '../e2e/operator/nats-client.ts';
import {
  installOperator,
  operatorManifests,
  operatorPodsReport,
  OPERATOR_NAMESPACE,
} from './demo/operator-pods.ts';
import { clientServiceAddress } from './demo/service-address.ts';
import { watchStalled } from './demo/stalled.ts';

const NAMESPACE = 'nats-demo';
const CLUSTER = 'secure';
const EXAMPLE = join('examples', 'secure-cluster.yaml');
const say = (line: string) => process.stdout.write(`demo: ${line}\n`);
const since = (t: number) => Math.round((Date.now() - t) / 1000);

/** What a failure shows besides its message: where the operator's log is, or its tail. */
let operatorReport: () => Promise<string> = async () => '';

/** The operator as pods from manifests/install.yaml; resolves once it is Ready. */
async function startTheOperator(kubeconfig: string): Promise<string> {
  operatorReport = () => operatorPodsReport(kubeconfig);
  await installOperator(kubeconfig, operatorManifests(imageArchive('nats-server').reference));
  return `operator pods Ready (manifests/install.yaml, ServiceAccount ${OPERATOR_NAMESPACE}/nats-warden)`;
}

async function applyExample(kubeconfig: string): Promise<void> {
  await kubectl(kubeconfig, ['create', 'namespace', NAMESPACE]).catch(() => undefined);
  const items = loadAll(readFileSync(join(repoRoot, EXAMPLE), 'utf8'));
  await kubectl(kubeconfig, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
}

/** The NatsCluster's conditions, one a line, for a failure report. */
async function natsClusterConditions(): Promise<string> {
  const template = '{range .status.conditions[*]}  {.type}={.status} {.reason}: {.message}{"\\n"}{end}';
  const conditions = await kubectl(paths.kubeconfig, [
    'get',
    'natscluster',
    CLUSTER,
    '-n',
    NAMESPACE,
    '-o',
    `jsonpath=${template}`,
  ]).catch((e: unknown) => `  (${e instanceof Error ? e.message.trim() : String(e)})\n`);
  return `NatsCluster ${NAMESPACE}/${CLUSTER} conditions:\n${conditions || '  (none yet)\n'}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const kubeconfig = await up();
  const upSeconds = since(started);
  say(`cluster up in ${upSeconds} s (three real nodes: kubelet, containerd, runc)`);

  const operatorStarted = Date.now();
  say(`${await startTheOperator(kubeconfig)} in ${since(operatorStarted)} s`);
  const operatorSeconds = since(operatorStarted);

  await applyExample(kubeconfig);
  say(`applied ${EXAMPLE}; waiting for NatsCluster ${NAMESPACE}/${CLUSTER} to be Ready`);
  const api = apiFor(kubeconfig);
  const applied = Date.now();
  // A cluster the operator reports Stalled for two minutes will not get Ready by itself: stop there.
  const watch = watchStalled(
    async () => (await natsCluster(api, NAMESPACE, CLUSTER)).status?.conditions ?? [],
    120_000,
  );
  await Promise.race([
    waitForCondition(api, NAMESPACE, CLUSTER, 'Ready', 'True', 600_000, (line) => say(`  ${line}`)),
    watch.stalled,
  ]).finally(() => watch.stop());
  const readySeconds = since(applied);
  say(`Ready ${readySeconds} s after apply`);

  const credentials = (await secretData(api, NAMESPACE, 'app-nats-credentials')) as unknown as Credentials;
  const certificate = await secretData(api, NAMESPACE, 'app-nats-client-tls');
  const address = await clientServiceAddress(api, NAMESPACE, CLUSTER);
  const nc = await connectWith(address, credentials, certificate as never, `${CLUSTER}.${NAMESPACE}.svc`);
  const echoed = await roundTrip(nc);
  await nc.close();
  say(`TLS round trip through Service ${CLUSTER} (${address}): "${echoed}"`);

  const netns = process.env.NATS_WARDEN_NETNS ?? 'nats-warden';
  // Another namespace name than the default must be given to the commands that find the cluster.
  const env = netns === 'nats-warden' ? '' : `NATS_WARDEN_NETNS_NAME=${netns} `;
  const kubectlIn = `ip netns exec ${netns} ${toolPath('kubectl')} --kubeconfig ${kubeconfig}`;
  say(
    `figures: cluster up ${upSeconds} s, operator Ready ${operatorSeconds} s, NatsCluster Ready ${readySeconds} s after apply, total ${since(started)} s`,
  );
  say(`done.

  Connect:   ${env}npm run -s nats -- pub demo.hello world        (the nats CLI as user app, through the Service)
             ${env}npm run -s nats -- sub 'demo.>'
  Inspect:   ${kubectlIn} -n ${NAMESPACE} get natsclusters,pods,certificates -o wide
             ${kubectlIn} -n ${OPERATOR_NAMESPACE} logs deployment/nats-warden
             (the control plane and its pods live in the network namespace ${netns})
  Stop all:  ${env}npm run cluster -- down`);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`demo: failed: ${error instanceof Error ? error.message : String(error)}\n`);
  const report = await operatorReport().catch((e: unknown) => `(no operator report: ${String(e)})\n`);
  process.stderr.write(report);
  process.stderr.write(await natsClusterConditions());
  process.stderr.write('(the cluster is left running for inspection; npm run cluster -- down stops it)\n');
  // A wait given up on (Stalled) still polls; nothing is left to do.
  process.exit(1);
});
