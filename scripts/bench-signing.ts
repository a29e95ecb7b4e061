// `npm run -s bench -- signing` (or bench:signing): user key + user JWT (creds) per second on one
// core, the native signer (node:crypto) against @nats-io/nkeys in the same run (scripts/bench/signing.ts).
// A benchmark prints figures; it does not pass or fail.
import { signingRates } from './bench/signing.ts';

const SECONDS = Number(process.env.SECONDS ?? 3);
const [native, nkeys] = await signingRates(SECONDS);
for (const r of [native, nkeys])
  process.stdout.write(
    `${r.name.padEnd(16)} ${r.perSecond.toFixed(0).padStart(7)} user keys + creds/s (${r.done} in ${SECONDS} s of CPU)\n`,
  );
process.stdout.write(`ratio            ${(native.perSecond / nkeys.perSecond).toFixed(0)}x\n`);
