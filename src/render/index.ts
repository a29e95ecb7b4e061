// The renderer's public face: (resources, context) -> every object the operator would create.
// Pure: no I/O, no clock, no randomness. Cross-resource problems throw RenderError naming the field.
import { accountNameOf, type NatsAccount, type NatsCluster, type NatsUser } from '../api/index.ts';
import { RenderError } from './render-error.ts';
import { leafLifetimeProblems, renderCaBootstrap, renderLeafCertificates } from './certificates.ts';
import { renderConfigMap, renderConfigSecrets } from './config-objects.ts';
import type { RenderContext } from './context.ts';
import {
  renderClientService,
  renderHeadlessService,
  renderPodDisruptionBudget,
  renderServiceAccount,
} from './services.ts';
import { renderStatefulSet } from './statefulset.ts';
import { renderUserCredentials } from './user-credentials.ts';

export { RenderError } from './render-error.ts';
export * from './context.ts';
export { childNames, podFqdn } from './names.ts';
export { PATHS, PORTS, FILES, ENV } from './layout.ts';
export { TLS_REVISION_ANNOTATION, tlsRevisionAnnotation, servedCertificatesKey } from './tls-revision.ts';
export { TEMPLATE_HASH_ANNOTATION, VERIFIED_ANNOTATION, podTemplateHash } from './statefulset.ts';
export { renderCaBootstrap, renderLeafCertificates } from './certificates.ts';
export { clientUrl, clientCertificateName, clientCertificateSecretName } from './user-credentials.ts';
export { renderNatsConf } from './nats-conf.ts';

export interface ClusterMembers {
  accounts: NatsAccount[];
  users: NatsUser[];
}

/** The NatsAccounts that refer to the cluster and the NatsUsers that refer to those accounts. */
export function membersOf(cluster: NatsCluster, accounts: NatsAccount[], users: NatsUser[]): ClusterMembers {
  const sameNamespace = (ns: string | undefined) =>
    (ns ?? 'default') === (cluster.metadata.namespace ?? 'default');
  const own = accounts.filter(
    (a) => sameNamespace(a.metadata.namespace) && a.spec.clusterRef.name === cluster.metadata.name,
  );
  const names = new Set(own.map((a) => a.metadata.name));
  return {
    accounts: own,
    users: users.filter((u) => sameNamespace(u.metadata.namespace) && names.has(u.spec.accountRef.name)),
  };
}

/** Problems no schema can see, because they span resources. Each names the resource and field. */
export function crossResourceProblems(cluster: NatsCluster, { accounts, users }: ClusterMembers): string[] {
  const problems = leafLifetimeProblems(cluster);
  const jwt = cluster.spec.auth.mode === 'JWT';
  const accountNames = new Set(accounts.map(accountNameOf));
  for (const user of users) {
    const field = `NatsUser ${user.metadata.name} spec.authType`;
    if (jwt && user.spec.authType !== 'Creds')
      problems.push(
        `${field}: must be Creds, because NatsCluster ${cluster.metadata.name} uses auth.mode JWT`,
      );
    if (!jwt && user.spec.authType === 'Creds')
      problems.push(`${field}: Creds needs auth.mode JWT; NatsCluster ${cluster.metadata.name} uses Config`);
    if (user.spec.authType === 'Certificate' && !cluster.spec.tls.client.verifyAndMap) {
      problems.push(
        `${field}: Certificate users need spec.tls.client.verifyAndMap on NatsCluster ${cluster.metadata.name}`,
      );
    }
  }
  for (const account of accounts) {
    account.spec.imports?.forEach((entry, i) => {
      const from = entry.stream?.account ?? entry.service?.account ?? '';
      if (!accountNames.has(from))
        problems.push(
          `NatsAccount ${account.metadata.name} spec.imports[${i}]: no account ${from} in this cluster`,
        );
    });
    account.spec.exports?.forEach((entry, i) =>
      entry.accounts?.forEach((name) => {
        if (!accountNames.has(name))
          problems.push(
            `NatsAccount ${account.metadata.name} spec.exports[${i}].accounts: no account ${name} in this cluster`,
          );
      }),
    );
  }
  return problems;
}

/** Every object a NatsCluster owns, and every credentials object of its users. */
export function renderCluster(
  cluster: NatsCluster,
  members: ClusterMembers,
  context: RenderContext,
): object[] {
  const problems = crossResourceProblems(cluster, members);
  if (problems.length) throw new RenderError(`NatsCluster ${cluster.metadata.name}`, problems.join('; '));
  return renderClusterObjects(cluster, members, context);
}

/** renderCluster for a caller that has checked crossResourceProblems itself (the controller). */
export function renderClusterObjects(
  cluster: NatsCluster,
  members: ClusterMembers,
  context: RenderContext,
): object[] {
  return [
    ...renderCaBootstrap(cluster),
    ...renderLeafCertificates(cluster, context),
    renderServiceAccount(cluster),
    renderConfigMap(cluster),
    ...renderConfigSecrets(cluster, members.accounts, members.users, context),
    renderHeadlessService(cluster),
    renderClientService(cluster),
    renderStatefulSet(cluster, context),
    renderPodDisruptionBudget(cluster),
    ...members.users.flatMap((user) => renderUserCredentials(user, cluster, context)),
  ];
}
