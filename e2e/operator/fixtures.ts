// Example resources re-homed into a test namespace, and a namespace with its own operator: each
// spec file runs an operator limited to its namespace, with its own leader-election Lease.
import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNamespace, deleteNamespace, repoRoot } from '@nats-warden/local-cluster';
import { apiFor, type Api } from './cluster-api.ts';
import { startOperator, stopOperator, type OperatorInstance } from './operator-process.ts';

export function exampleIn(
  file: string,
  namespace: string,
  edit: (doc: any) => void = () => undefined,
): any[] {
  const docs = loadAll(readFileSync(join(repoRoot, 'examples', file), 'utf8')).filter(Boolean) as any[];
  for (const doc of docs) {
    doc.metadata.namespace = namespace;
    edit(doc);
  }
  return docs;
}

/**
 * examples/minimal-tls.yaml as a cluster of another name and size, its account and user renamed
 * with it, so several live side by side in one namespace. `edit` changes the NatsCluster.
 */
export function minimalCluster(
  namespace: string,
  name: string,
  replicas: number,
  edit: (cluster: any) => void = () => undefined,
): any[] {
  return exampleIn('minimal-tls.yaml', namespace, (doc) => {
    if (doc.kind === 'NatsCluster') {
      doc.metadata.name = name;
      doc.spec.replicas = replicas;
      edit(doc);
    } else if (doc.kind === 'NatsAccount') {
      doc.metadata.name = `${name}-app`;
      doc.spec.clusterRef.name = name;
    } else {
      doc.metadata.name = `${name}-client`;
      doc.spec.accountRef.name = `${name}-app`;
    }
  });
}

export interface TestBed {
  namespace: string;
  api: Api;
  kubeconfig: string;
  operators: OperatorInstance[];
  startOperator(name?: string): Promise<OperatorInstance>;
  teardown(): Promise<void>;
}

export async function testBed(prefix: string): Promise<TestBed> {
  const kubeconfig = process.env.KUBECONFIG;
  if (!kubeconfig)
    throw new Error(
      'KUBECONFIG is not set: run through the e2e project, whose global setup starts the control plane',
    );
  const namespace = await createNamespace(prefix);
  const bed: TestBed = {
    namespace,
    api: apiFor(kubeconfig),
    kubeconfig,
    operators: [],
    async startOperator(name = `operator-${namespace}`) {
      const instance = await startOperator(kubeconfig, name, [
        '--namespace',
        namespace,
        '--leader-election-namespace',
        namespace,
      ]);
      bed.operators.push(instance);
      return instance;
    },
    async teardown() {
      for (const op of bed.operators) await stopOperator(op).catch(() => undefined);
      await deleteNamespace(namespace);
    },
  };
  return bed;
}
