// The ConfigMap (nats.conf, no secrets) and the Secrets it includes.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { renderAuthConf, renderJetStreamKeyConf, renderRoutesConf } from './auth-conf.ts';
import type { RenderContext } from './context.ts';
import { FILES } from './layout.ts';
import { renderNatsConf } from './nats-conf.ts';
import { childMeta, childNames } from './names.ts';

export const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function secret(cluster: NatsCluster, name: string, component: string, files: Record<string, string>) {
  const data = Object.fromEntries(Object.entries(files).map(([key, value]) => [key, base64(value)]));
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(cluster, name, component),
    type: 'Opaque',
    data,
  };
}

export function renderConfigMap(cluster: NatsCluster, issuedCertificatePins: string[] = []) {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMeta(cluster, childNames(cluster.metadata.name).config, 'config'),
    data: { [FILES.conf]: renderNatsConf(cluster, issuedCertificatePins) },
  };
}

export function renderConfigSecrets(
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
  context: RenderContext,
) {
  const names = childNames(cluster.metadata.name);
  return [
    secret(cluster, names.authSecret, 'auth', {
      [FILES.authConf]: renderAuthConf(cluster, accounts, users, context.identities),
    }),
    secret(cluster, names.routesAuthSecret, 'auth', {
      [FILES.routesConf]: renderRoutesConf(cluster, context),
    }),
    ...(cluster.spec.jetstream.encryption
      ? [
          secret(cluster, names.jetstreamKeySecret, 'jetstream', {
            [FILES.jetstreamConf]: renderJetStreamKeyConf(context.identities),
          }),
        ]
      : []),
    secret(cluster, names.trustBundle, 'pki', { [FILES.caBundle]: context.trustBundle }),
  ];
}
