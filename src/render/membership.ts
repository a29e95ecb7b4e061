// Which NatsAccounts and NatsUsers belong to a NatsCluster, and the problems no schema can see
// because they span resources (a user's auth type against the cluster's auth mode, an import from
// an account the cluster does not have). Pure; every problem names the resource and field.
import { accountNameOf, type NatsAccount, type NatsCluster, type NatsUser } from '../api/index.ts';
import { leafLifetimeProblems } from './certificates.ts';

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
