// Signing throughput, shared by `npm run bench -- signing` (scripts/bench-signing.ts) and the
// accounts bench: user key + user JWT (creds) per second on one core, the operator's path (node:crypto
// keys and signatures, user JWTs encoded synchronously) against @nats-io/nkeys and @nats-io/jwt. Both produce the same formats (src/identity/native-signer.test.ts).
import { encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createUser } from '@nats-io/nkeys';
import { newUserKey, userCreds } from '../../src/identity/jwt.ts';

const text = new TextDecoder();

export interface SigningRate {
  name: string;
  perSecond: number;
  done: number;
}

/**
 * Issues for `seconds` of this process's CPU time (user + system), so the rate is per core-second
 * even on a busy machine, where wall time would count other processes' turns on the core.
 */
async function rate(name: string, seconds: number, issue: () => Promise<number>): Promise<SigningRate> {
  for (let i = 0; i < 20; i++) await issue(); // warm-up
  const cpuSeconds = (since: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1e6;
  };
  let done = 0;
  const started = process.cpuUsage();
  while (cpuSeconds(started) < seconds) {
    for (let i = 0; i < 10; i++) await issue();
    done += 10;
  }
  return { name, perSecond: done / cpuSeconds(started), done };
}

/**
 * The operator's own path (identity/jwt.ts: node:crypto keys, the synchronous user JWT encoder),
 * then @nats-io/nkeys with @nats-io/jwt's encodeUser, each for `seconds`.
 */
export async function signingRates(seconds: number): Promise<[SigningRate, SigningRate]> {
  const official = createAccount();
  const account = { seed: text.decode(official.getSeed()), publicKey: official.getPublicKey() };
  const native = await rate(
    'native signer',
    seconds,
    async () => userCreds(account, newUserKey(), 'app', undefined).length,
  );
  const nkeys = await rate('@nats-io/nkeys', seconds, async () => {
    const user = createUser();
    const token = await encodeUser('app', user.getPublicKey(), official, { subs: -1 });
    return fmtCreds(token, user).length;
  });
  return [native, nkeys];
}
