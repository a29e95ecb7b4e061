// Reads nats-warden resources from YAML files and validates them, reporting every problem with the
// file, the resource and the field path.
import { loadAll } from 'js-yaml';
import { readFileSync } from 'node:fs';
import {
  validateResource,
  type NatsAccount,
  type NatsCluster,
  type NatsUser,
  type Resource,
} from '../api/index.ts';

export interface Documents {
  clusters: NatsCluster[];
  accounts: NatsAccount[];
  users: NatsUser[];
}

export class InputError extends Error {}

function describe(doc: unknown): string {
  const d = doc as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return `${typeof d?.kind === 'string' ? d.kind : 'document'}/${typeof d?.metadata?.name === 'string' ? d.metadata.name : '?'}`;
}

/** Parses and validates; throws InputError listing every problem found, not just the first. */
export function readDocuments(files: string[]): Documents {
  const result: Documents = { clusters: [], accounts: [], users: [] };
  const problems: string[] = [];
  for (const file of files) {
    let docs: unknown[];
    try {
      docs = loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null && d !== undefined);
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    for (const doc of docs) {
      const checked = validateResource(doc);
      if (!checked.ok) {
        for (const e of checked.errors) problems.push(`${file}: ${describe(doc)}: ${e.path}: ${e.message}`);
        continue;
      }
      add(result, checked.value);
    }
  }
  if (problems.length) throw new InputError(problems.join('\n'));
  return result;
}

function add(into: Documents, resource: Resource): void {
  if (resource.kind === 'NatsCluster') into.clusters.push(resource);
  else if (resource.kind === 'NatsAccount') into.accounts.push(resource);
  else into.users.push(resource);
}
