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
import { InputError, readDocuments, type Documents } from './documents.ts';

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

export async function renderCommand(argv: string[]): Promise<string> {
  const options = parseRenderArgs(argv);
  return toYaml(await renderDocuments(readDocuments(options.files), options.clusterDomain));
}
