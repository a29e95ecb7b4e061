// Reads nats-warden resources from YAML files and validates them, reporting every problem with the
// file, the resource and the field path.
import { loadAll } from 'js-yaml';
import { readFileSync, statSync } from 'node:fs';
import type { NatsAccount, NatsCluster, NatsUser, Resource, Validated } from '../api/index.ts';

export interface Documents {
  clusters: NatsCluster[];
  accounts: NatsAccount[];
  users: NatsUser[];
}

export class InputError extends Error {}

/**
 * Hostile input is refused at once, not after seconds of work: a file larger than the API server
 * would store (1.5 MiB a request), more aliases than hand-written manifests use (a "billion laughs"
 * alias bomb expands a few lines into gigabytes), nesting deeper than any resource needs.
 */
export const INPUT_LIMITS = {
  maxFileBytes: 2 * 1024 * 1024,
  maxAliases: 100,
  maxDepth: 64,
  /** Characters of a document once its aliases are expanded: a few aliases can still multiply. */
  maxExpandedChars: 4 * 1024 * 1024,
};

/** Throws once a document, aliases expanded, exceeds the limit; stops counting there. */
function checkExpandedSize(doc: unknown): void {
  let budget = INPUT_LIMITS.maxExpandedChars;
  const visit = (value: unknown): void => {
    budget -= typeof value === 'string' ? value.length + 1 : 1;
    if (budget < 0)
      throw new Error(
        `a document expands to more than ${INPUT_LIMITS.maxExpandedChars} characters (YAML aliases?)`,
      );
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object')
      for (const [key, child] of Object.entries(value)) {
        budget -= key.length;
        visit(child);
      }
  };
  visit(doc);
}

function describe(doc: unknown): string {
  const d = doc as { kind?: unknown; metadata?: { name?: unknown } } | null;
  return `${typeof d?.kind === 'string' ? d.kind : 'document'}/${typeof d?.metadata?.name === 'string' ? d.metadata.name : '?'}`;
}

/** Validates one document: schema-check.ts's validateResource, or what stands for it. */
export type Validate = (doc: unknown) => Validated<Resource>;

/** Parses and validates; throws InputError listing every problem found, not just the first. */
export function readDocuments(files: string[], validate: Validate): Documents {
  const result: Documents = { clusters: [], accounts: [], users: [] };
  const problems: string[] = [];
  for (const file of files) {
    let docs: unknown[];
    try {
      const size = statSync(file).size;
      if (size > INPUT_LIMITS.maxFileBytes)
        throw new Error(`${size} bytes is over the limit of ${INPUT_LIMITS.maxFileBytes}`);
      docs = loadAll(readFileSync(file, 'utf8'), {
        maxAliases: INPUT_LIMITS.maxAliases,
        maxDepth: INPUT_LIMITS.maxDepth,
      }).filter((d) => d !== null && d !== undefined);
      docs.forEach(checkExpandedSize);
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message}`);
      continue;
    }
    for (const doc of docs) {
      const checked = validate(doc);
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
