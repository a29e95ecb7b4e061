// Signing throughput, shared by `npm run bench -- signing` (scripts/bench-signing.ts) and the
// accounts bench: user key + user JWT (creds) per second on one core, the native signer
// (node:crypto) against @nats-io/nkeys. Both produce the same formats (src/identity/native-signer.test.ts).
import { encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createUser, type KeyPair } from '@nats-io/nkeys';
import { performance } from 'node:perf_hooks';
import { createNativeKeyPair, nativeKeyPair, NKEY_PREFIX } from '../../src/identity/native-signer.ts';

const text = new TextDecoder();

export interface SigningRate {
  name: string;
  perSecond: number;
  done: number;
}

async function rate(
  name: string,
  seconds: number,
  account: KeyPair,
  newUser: () => KeyPair,
): Promise<SigningRate> {
  const issue = async () => {
    const user = newUser();
    const token = await encodeUser('app', user.getPublicKey(), account, { subs: -1 });
    return fmtCreds(token, user).length;
  };
  for (let i = 0; i < 20; i++) await issue(); // warm-up
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    await issue();
    done++;
  }
  return { name, perSecond: done / ((performance.now() - started) / 1000), done };
}

/** The native signer, then @nats-io/nkeys, each for `seconds`. */
export async function signingRates(seconds: number): Promise<[SigningRate, SigningRate]> {
  const official = createAccount();
  const native = await rate('native signer', seconds, nativeKeyPair(text.decode(official.getSeed())), () =>
    createNativeKeyPair(NKEY_PREFIX.User),
  );
  return [native, await rate('@nats-io/nkeys', seconds, official, createUser)];
}
