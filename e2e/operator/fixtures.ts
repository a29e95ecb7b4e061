// Example resources re-homed into a test namespace, and a namespace with its own operator: each
// spec file runs an operator limited to its namespace, with its own leader-election Lease.
import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.ts';
import { createNamespace, deleteNamespace } from '../harness/k8s.ts';
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

