// Names derived from a resource, apart from the schemas so that code which needs only these (the
// renderer, `nats-warden render`) loads no TypeBox (docs/cli.md). index.ts exports them too.
import type { NatsAccount } from './natsaccount.ts';
import type { NatsUser } from './natsuser.ts';

/** The name an account has inside NATS. */
export const accountNameOf = (account: NatsAccount): string =>
  account.spec.accountName ?? account.metadata.name;

export const credentialsSecretNameOf = (user: NatsUser): string =>
  user.spec.secretName ?? `${user.metadata.name}-nats-credentials`;
export const usernameOf = (user: NatsUser): string => user.spec.username ?? user.metadata.name;
