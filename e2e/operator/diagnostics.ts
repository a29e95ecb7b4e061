// What an e2e wait prints when it times out, so the failure explains itself: the NatsCluster's
// conditions, its Certificates' and CertificateRequests' conditions, the Issuers' status, and the
// last lines of the operator's log for that namespace.
import { existsSync, readFileSync } from 'node:fs';
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { operatorLogs } from './operator-process.ts';

const LOG_LINES = 15;

interface Listed {
  metadata?: { name?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

async function list(custom: CustomObjectsApi, plural: string, namespace?: string): Promise<Listed[]> {
  try {
    const found = (
      namespace
        ? await custom.listNamespacedCustomObject({
            group: 'cert-manager.io',
            version: 'v1',
            namespace,
            plural,
          })
        : await custom.listClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural })
    ) as { items?: Listed[] };
    return found.items ?? [];
  } catch (error) {
    return [{ metadata: { name: `(could not list ${plural}: ${(error as Error).message})` } }];
  }
}

const conditions = (o: Listed) =>
  (o.status?.conditions ?? [])
    .map((c) => `${c.type}=${c.status} (${c.reason ?? ''}: ${c.message ?? ''})`)
    .join('; ') || 'no conditions';

function tail(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-LOG_LINES);
}

/** A multi-line report of everything that explains a cluster's state in a namespace. */
export async function diagnose(custom: CustomObjectsApi, namespace: string): Promise<string> {
  const lines: string[] = [`--- diagnostics for namespace ${namespace}`];
  for (const [kind, plural, ns] of [
    ['Certificate', 'certificates', namespace],
    ['CertificateRequest', 'certificaterequests', namespace],
    ['Issuer', 'issuers', namespace],
    ['ClusterIssuer', 'clusterissuers', undefined],
  ] as const) {
    for (const o of await list(custom, plural, ns))
      lines.push(`${kind} ${o.metadata?.name}: ${conditions(o)}`);
  }
  for (const log of operatorLogs(namespace)) {
    lines.push(`last ${LOG_LINES} lines of ${log}:`, ...tail(log).map((l) => `  ${l}`));
  }
  return lines.join('\n');
}
