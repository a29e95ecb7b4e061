// Generates every identity a NatsCluster and its users need (route password, JetStream key, JWT-mode
// operator and accounts, user credentials), for a first reconcile or an offline render. The
// controller calls this only for what is missing and stores the result in Secrets: an identity
// that exists is reused forever, never regenerated.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { accountNameOf, usernameOf } from '../api/names.ts';
import type { ClusterIdentities, JwtIdentities, UserCredentials } from '../render/context.ts';
import type { KeyIdentity } from './jwt.ts';
import { createNativeKey, NKEY_PREFIX } from './native-signer.ts';
import { generateJetStreamKey, generatePassword } from './secrets.ts';

// JWTs need @nats-io/jwt, @nats-io/nkeys and tweetnacl: loaded only for a JWT-mode cluster or a Creds
// user, so that `nats-warden render` of a Config-mode cluster starts without them (docs/cli.md).
const jwtLibrary = () => import('./jwt.ts');
/** A user's key: signs nothing here, so no KeyPair (jwt.ts's newUserKey, without loading jwt.ts). */
const newUserKey = (): KeyIdentity => createNativeKey(NKEY_PREFIX.User);

export interface GeneratedJwtKeys {
  operator: KeyIdentity;
  /** Signs the tenant account JWTs; the operator's identity key only signs the operator JWT. */
  operatorSigning: KeyIdentity;
  systemAccount: KeyIdentity;
  systemUserCreds: string;
  accounts: Record<string, KeyIdentity>;
}

export interface GeneratedIdentities {
  identities: ClusterIdentities;
  /** JWT mode: the seeds behind the JWTs (operator-private; kept in the operator's own Secret). */
  jwtKeys?: GeneratedJwtKeys;
}

async function jwtIdentities(
  cluster: NatsCluster,
  accounts: NatsAccount[],
): Promise<{ jwt: JwtIdentities; keys: GeneratedJwtKeys }> {
  const { accountJwt, newAccountKey, newOperatorKey, operatorJwt, systemAccountJwt, userCreds } =
    await jwtLibrary();
  const operator = newOperatorKey();
  const operatorSigning = newOperatorKey();
  const systemAccount = newAccountKey();
  const accountKeys = Object.fromEntries(accounts.map((a) => [accountNameOf(a), newAccountKey()]));
  const publicKeys = Object.fromEntries(
    Object.entries(accountKeys).map(([name, key]) => [name, key.publicKey]),
  );
  const jwts: JwtIdentities['accounts'] = {};
  for (const account of accounts) {
    const key = accountKeys[accountNameOf(account)] as KeyIdentity;
    jwts[accountNameOf(account)] = {
      publicKey: key.publicKey,
      jwt: await accountJwt(operatorSigning, key, account, publicKeys),
    };
  }
  return {
    jwt: {
      operatorJwt: await operatorJwt(
        `${cluster.metadata.namespace ?? 'default'}-${cluster.metadata.name}`,
        operator,
        systemAccount.publicKey,
        [operatorSigning.publicKey],
      ),
      systemAccountPublicKey: systemAccount.publicKey,
      systemAccountJwt: await systemAccountJwt(operator, systemAccount),
      accounts: jwts,
    },
    keys: {
      operator,
      operatorSigning,
      systemAccount,
      systemUserCreds: userCreds(systemAccount, newUserKey(), 'nats-warden-system'),
      accounts: accountKeys,
    },
  };
}

export async function userCredentials(
  user: NatsUser,
  accountOf: (user: NatsUser) => KeyIdentity | undefined,
): Promise<UserCredentials> {
  const generated = await credentialsOf(user, accountOf);
  return user.metadata.uid ? { ...generated, ownerUid: user.metadata.uid } : generated;
}

async function credentialsOf(
  user: NatsUser,
  accountOf: (user: NatsUser) => KeyIdentity | undefined,
): Promise<UserCredentials> {
  switch (user.spec.authType) {
    case 'Password': {
      const plaintext = generatePassword();
      // bcryptjs only when a Password user needs it.
      const { hashPassword } = await import('./password-hash.ts');
      return { password: { plaintext, bcryptHash: hashPassword(plaintext) } };
    }
    case 'NKey': {
      const key = newUserKey();
      return { nkey: { seed: key.seed, publicKey: key.publicKey } };
    }
    case 'Creds': {
      const account = accountOf(user);
      if (!account) return {};
      const key = newUserKey();
      return {
        creds: {
          content: (await jwtLibrary()).userCreds(account, key, usernameOf(user), user.spec),
          publicKey: key.publicKey,
        },
      };
    }
    case 'Certificate':
      return {};
  }
}

/** Fresh identities for a cluster and its members (route password, JetStream key, users, JWT identities). */
export async function generateIdentities(
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
): Promise<GeneratedIdentities> {
  const jwtMode = cluster.spec.auth.mode === 'JWT' ? await jwtIdentities(cluster, accounts) : undefined;
  const accountKeyOf = (user: NatsUser) => {
    const account = accounts.find((a) => a.metadata.name === user.spec.accountRef.name);
    return account ? jwtMode?.keys.accounts[accountNameOf(account)] : undefined;
  };
  const userIdentities: Record<string, UserCredentials> = {};
  for (const user of users) userIdentities[user.metadata.name] = await userCredentials(user, accountKeyOf);
  return {
    identities: {
      routePassword: generatePassword(),
      ...(cluster.spec.jetstream.encryption ? { jetstreamKey: generateJetStreamKey() } : {}),
      ...(jwtMode ? { jwt: jwtMode.jwt } : {}),
      users: userIdentities,
    },
    ...(jwtMode ? { jwtKeys: jwtMode.keys } : {}),
  };
}
