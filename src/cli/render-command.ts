// `nats-warden render -f FILE [-f FILE...]`: prints, as multi-document YAML, every object the
// operator would create for the resources given — with no cluster. Identities (route password,
// keys, user credentials) are generated afresh on each run (the operator generates them once and
// keeps them); the trust bundle stays empty until cert-manager has issued the CA in a real cluster.
import { toYaml } from './yaml-writer.ts';
import { generateIdentities } from '../identity/generate-identities.ts';
import {
  DEFAULT_CLUSTER_DOMAIN,
  DEFAULT_NATS_IMAGE,
  membersOf,
  OPERATOR_IMAGE,
  renderCluster,
  RenderError,
  type RenderContext,
} from '../render/index.ts';
import { parseOptions } from './args.ts';
import { InputError, readDocuments, type Documents, type Validate } from './documents.ts';
import { quickValidate } from '../api/quick-check.ts';

export { toYaml };

export interface RenderOptions {
  files: string[];
  clusterDomain: string;
}

export function parseRenderArgs(argv: string[]): RenderOptions {
  const values = parseOptions(argv, {
    filename: { type: 'string', short: 'f', multiple: true },
    'cluster-domain': { type: 'string', default: DEFAULT_CLUSTER_DOMAIN },
  });
  const files = values.filename ?? [];
  if (!files.length) throw new InputError('render needs at least one -f FILE');
  return { files, clusterDomain: values['cluster-domain'] ?? DEFAULT_CLUSTER_DOMAIN };
}

/** Renders every NatsCluster in the documents with freshly generated identities. */
export async function renderDocuments(docs: Documents, clusterDomain: string): Promise<object[]> {
  const objects: object[] = [];
  const claimed = new Set<object>();
  for (const cluster of docs.clusters) {
    const members = membersOf(cluster, docs.accounts, docs.users);
    members.accounts.forEach((a) => claimed.add(a));
    members.users.forEach((u) => claimed.add(u));
    const generated = await generateIdentities(cluster, members.accounts, members.users);
    const context: RenderContext = {
      clusterDomain,
      defaultImage: DEFAULT_NATS_IMAGE,
      operatorImage: OPERATOR_IMAGE,
      identities: generated.identities,
      trustBundle: '',
      certificateRevisions: {},
    };
    objects.push(...renderCluster(cluster, members, context));
  }
  const orphans = [...docs.accounts, ...docs.users].filter((r) => !claimed.has(r));
  if (orphans.length) {
    const ref = (r: (typeof orphans)[number]) =>
      r.kind === 'NatsAccount'
        ? `spec.clusterRef.name: no NatsCluster ${r.spec.clusterRef.name}`
        : `spec.accountRef.name: no NatsAccount ${r.spec.accountRef.name}`;
    throw new RenderError(
      orphans.map((r) => `${r.kind}/${r.metadata.name}`).join(', '),
      orphans.map(ref).join('; '),
    );
  }
  return objects;
}

/** Stops a quick read at the first document the compiled checks refuse. */
class NeedsErrors extends Error {}
const quickValidation: Validate = (doc) => {
  const value = quickValidate(doc);
  if (!value) throw new NeedsErrors();
  return { ok: true, value };
};

/**
 * The files' resources, validated. TypeBox's compiled checks pass valid documents without loading
 * TypeBox (a quarter of a start, docs/cli.md); when they refuse one, the files are read again through
 * validateResource, which loads it and names every error.
 */
export async function readValidated(files: string[]): Promise<Documents> {
  try {
    return readDocuments(files, quickValidation);
  } catch (error) {
    if (!(error instanceof NeedsErrors)) throw error;
  }
  const { validateResource } = await loadSchemaCheck();
  return readDocuments(files, validateResource);
}

/** Set by scripts/bundle-cli.ts in the render bundle: schema-check.ts's own bundle, beside it. */
declare const SCHEMA_CHECK_BUNDLE: string | undefined;

/**
 * schema-check.ts, which loads TypeBox. The render bundle leaves TypeBox out altogether (even unused,
 * its thousand functions were created and cached at every start) and loads it from a file of its own.
 */
const loadSchemaCheck = async (): Promise<typeof import('../api/schema-check.ts')> =>
  typeof SCHEMA_CHECK_BUNDLE === 'string'
    ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- the CommonJS bundle's require
      (require(SCHEMA_CHECK_BUNDLE) as typeof import('../api/schema-check.ts'))
    : import('../api/schema-check.ts');

export async function renderCommand(argv: string[]): Promise<string> {
  const options = parseRenderArgs(argv);
  return toYaml(await renderDocuments(await readValidated(options.files), options.clusterDomain));
}
