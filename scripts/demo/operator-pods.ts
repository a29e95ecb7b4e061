// The operator as a production cluster runs it: manifests/install.yaml (the chart rendered with its
// defaults) applied server-side, so its pods run the image built from the Dockerfile under the
// nats-warden ServiceAccount and the least-privilege RBAC the chart grants; a missing permission
// shows here. The demo changes one thing in it, the servers' image (--nats-image, the chart's
// natsImage): no registry can be reached to pull the default, so the nats-server image built here
// is named. Placement on tainted nodes (placement.ts) is the caller's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { kubectl, repoRoot } from '@nats-warden/local-cluster';

export const OPERATOR_NAMESPACE = 'nats-warden';
const DEPLOYMENT = 'nats-warden';
const POD_SELECTOR = 'app.kubernetes.io/name=nats-warden';

type Doc = { kind?: string; spec?: Record<string, unknown> } & Record<string, unknown>;
interface Container {
  name: string;
  args?: string[];
}

/** install.yaml's objects, the operator container told which nats-server image the servers run. */
export function operatorManifests(natsImage: string): Doc[] {
  const docs = loadAll(readFileSync(join(repoRoot, 'manifests', 'install.yaml'), 'utf8')).filter(
    (d): d is Doc => typeof d === 'object' && d !== null,
  );
  for (const doc of docs.filter((d) => d.kind === 'Deployment')) {
    const containers = (doc.spec as { template: { spec: { containers: Container[] } } }).template.spec
      .containers;
    const operator = containers.find((c) => c.name === 'operator');
    if (!operator) throw new Error('manifests/install.yaml: the Deployment has no container named operator');
    operator.args = [...(operator.args ?? []), `--nats-image=${natsImage}`];
  }
  return docs;
}

/** Applies the objects server-side (as `kubectl apply --server-side -f manifests/install.yaml`) and waits until every operator pod is Ready. */
export async function installOperator(kubeconfig: string, docs: Doc[], timeoutSeconds = 300): Promise<void> {
  const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs });
  await kubectl(kubeconfig, ['apply', '--server-side', '-f', '-'], list, 120_000);
  await kubectl(
    kubeconfig,
    [
      'rollout',
      'status',
      '-n',
      OPERATOR_NAMESPACE,
      `deployment/${DEPLOYMENT}`,
      `--timeout=${timeoutSeconds}s`,
    ],
    undefined,
    (timeoutSeconds + 10) * 1000,
  );
}

/** The operator pods (where, phase, restarts) and the last lines each logged, for a failure report. */
export async function operatorPodsReport(kubeconfig: string, lines = 30): Promise<string> {
  const run = (args: string[]) =>
    kubectl(kubeconfig, ['-n', OPERATOR_NAMESPACE, ...args], undefined, 20_000).catch(
      (error: unknown) => `(${error instanceof Error ? error.message.trim() : String(error)})\n`,
    );
  const pods = await run(['get', 'pods', '-l', POD_SELECTOR, '-o', 'wide']);
  const logs = await run(['logs', '-l', POD_SELECTOR, '--prefix', '--all-containers', `--tail=${lines}`]);
  return `operator pods:\n${pods}operator log tail (kubectl logs, last ${lines} lines a pod):\n${logs}`;
}
