// `npm run -s bench:signing`: user key + user JWT (creds) per second on one core, the native signer
// (node:crypto) against @nats-io/nkeys in the same run. A benchmark prints figures; it does not pass
// or fail. Both sides produce the same formats (src/identity/native-signer.test.ts).
import { encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createUser, type KeyPair } from '@nats-io/nkeys';
import { performance } from 'node:perf_hooks';
import { createNativeKeyPair, nativeKeyPair, NKEY_PREFIX } from '../src/identity/native-signer.ts';

const SECONDS = Number(process.env.SECONDS ?? 3);
const text = new TextDecoder();

async function rate(name: string, account: KeyPair, newUser: () => KeyPair): Promise<number> {
  const issue = async () => {
    const user = newUser();
    const token = await encodeUser('app', user.getPublicKey(), account, { subs: -1 });
    return fmtCreds(token, user).length;
  };
  for (let i = 0; i < 20; i++) await issue(); // warm-up
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    await issue();
    done++;
  }
  const perSecond = done / ((performance.now() - started) / 1000);
  process.stdout.write(
    `${name.padEnd(16)} ${perSecond.toFixed(0).padStart(7)} user keys + creds/s (${done} in ${SECONDS} s)\n`,
  );
  return perSecond;
}

const official = createAccount();
const native = await rate('native signer', nativeKeyPair(text.decode(official.getSeed())), () =>
  createNativeKeyPair(NKEY_PREFIX.User),
);
const nkeys = await rate('@nats-io/nkeys', official, createUser);
process.stdout.write(`ratio            ${(native / nkeys).toFixed(0)}x\n`);
