// Config mode: an account lives in the servers' auth include and is applied by a config reload, so
// it is Ready once every server has loaded it — read from each server's own report (/accountz lists
// the accounts the server has loaded), never assumed from a timer or from the Secret being written.
// With spec.monitoring.enabled: false no server can be asked; configuredWithoutMonitoring says so.
import type { V1Pod } from '@kubernetes/client-node';
import { accountNameOf, type NatsAccount, type NatsCluster } from '../../api/index.ts';
import { accountEntryDigest } from '../../render/index.ts';
import { clusterKey, type LoadedIncludes } from '../loaded-includes.ts';
import { accountsOfServers } from '../server-accounts.ts';

export interface LoadedOutcome {
  ready: boolean;
  reason: string;
  message: string;
  servers: number;
  current: number;
}

/**
 * Asks every server pod whether it has loaded the account's current spec: its /accountz lists the
 * load marker of an include that holds the account's current entry (loaded-includes.ts), so a
 * changed limit counts only once reloaded. Never throws: unreachable servers count as not loaded.
 */
export async function loadedByServers(
  cluster: NatsCluster,
  account: NatsAccount,
  includes: LoadedIncludes,
  pods: V1Pod[],
  trustBundle: string | undefined,
  clusterDomain: string,
): Promise<LoadedOutcome> {
  const replicas = cluster.spec.replicas;
  const answers = await accountsOfServers(cluster, pods, trustBundle, clusterDomain);
  const entry = new Map([[account.metadata.name, accountEntryDigest(account)]]);
  const withEntry = includes
    .loads(clusterKey(cluster), 'accounts', entry, answers)
    .get(account.metadata.name);
  const servers = answers.filter((a) => a !== undefined).length;
  const current = withEntry?.loaded ?? 0;
  const ready = current >= replicas;
  return {
    ready,
    reason: ready ? 'Loaded' : 'Loading',
    message: ready
      ? `all ${current} servers have loaded the account (/accountz)`
      : `${current} of ${replicas} servers have loaded the account (${servers} answered /accountz)`,
    servers,
    current,
  };
}

/** The account's key as the auth include writes it: two spaces in, bare or quoted (conf-writer.ts). */
const declaresAccount = (authConf: string, name: string) =>
  [name, JSON.stringify(name), `'${name}'`].some((key) => authConf.includes(`\n  ${key}: {\n`));

/**
 * Without monitoring the next best evidence, said as such: the account is in the auth include the
 * cluster controller applied, and that cluster is Ready. Whether each server has reloaded it is not known.
 */
export function configuredWithoutMonitoring(
  cluster: NatsCluster,
  account: NatsAccount,
  authConf: string | undefined,
): LoadedOutcome {
  const name = accountNameOf(account);
  const configured = !!authConf && declaresAccount(authConf, name);
  const clusterReady = !!cluster.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const ready = configured && clusterReady;
  const unconfirmed = `monitoring is off (NatsCluster ${cluster.metadata.name} spec.monitoring.enabled: false), so no server was asked (/accountz)`;
  return {
    ready,
    reason: ready ? 'Configured' : 'Configuring',
    message: ready
      ? `the account is in the applied configuration and NatsCluster ${cluster.metadata.name} is Ready; ${unconfirmed}`
      : `${configured ? `NatsCluster ${cluster.metadata.name} is not Ready` : 'the account is not in the applied configuration yet'}; ${unconfirmed}`,
    servers: 0,
    current: 0,
  };
}
