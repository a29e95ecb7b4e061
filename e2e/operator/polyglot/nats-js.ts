// The nats.js side of the polyglot clients: the same connection e2e/operator/nats-client.ts makes,
// with the server's asynchronous errors (permission violations) turned into the thrown error.
import type { NatsConnection } from '@nats-io/transport-node';
import { connectWith } from '../nats-client.ts';
import type { AppCredentials } from './credentials.ts';

async function withConnection<T>(
  c: AppCredentials,
  use: (nc: NatsConnection, errors: string[]) => Promise<T>,
) {
  const nc = await connectWith(
    c.address,
    {
      'ca.crt': c.ca,
      url: `tls://${c.servername}:4222`,
      ...(c.creds ? { 'user.creds': c.creds } : {}),
      ...(c.nkeySeed ? { 'nkey.seed': c.nkeySeed } : {}),
      ...(c.username ? { username: c.username, password: c.password ?? '' } : {}),
    },
    c.cert ? { 'tls.crt': c.cert.crt, 'tls.key': c.cert.key } : undefined,
    c.servername,
  );
  const errors: string[] = [];
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'error') errors.push(status.error.message);
  })();
  try {
    return await use(nc, errors);
  } finally {
    await nc.close();
  }
}

/** Lets an -ERR that the server sent before the flush's PONG reach the status iterator. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

export function roundTripJs(c: AppCredentials, subject: string, payload: string): Promise<string> {
  return withConnection(c, async (nc, errors) => {
    const sub = nc.subscribe(subject, { max: 1, timeout: 5_000 });
    await nc.flush();
    nc.publish(subject, payload);
    try {
      for await (const msg of sub) return msg.string();
    } catch (error) {
      await settle();
      throw new Error([...errors, (error as Error).message].join('; '), { cause: error });
    }
    throw new Error([...errors, `no message on ${subject}`].join('; '));
  });
}

export function publishJs(c: AppCredentials, subject: string, payload: string): Promise<void> {
  return withConnection(c, async (nc, errors) => {
    nc.publish(subject, payload);
    await nc.flush();
    await settle();
    if (errors.length) throw new Error(errors.join('; '));
  });
}
