// A real NATS client round trip with an application's credentials Secret, the way an application
// mounts it: ca.crt (the cluster's trust bundle), the client certificate, and its nkey, password
// or creds. Used by the demo and the e2e specs.
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  usernamePasswordAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';

export interface Credentials {
  'ca.crt': string;
  url: string;
  'nkey.seed'?: string;
  username?: string;
  password?: string;
  'user.creds'?: string;
}

export interface ClientCertificate {
  'tls.crt': string;
  'tls.key': string;
}

export async function connectWith(
  address: string,
  credentials: Credentials,
  certificate: ClientCertificate | undefined,
  servername: string,
  // A test that expects a refusal passes 1: a refused handshake also ends in a reset, and retrying it
  // would only print a misleading "retrying" twice.
  { attempts = CONNECT_ATTEMPTS }: { attempts?: number } = {},
): Promise<NatsConnection> {
  const encoder = new TextEncoder();
  const authenticator = credentials['nkey.seed']
    ? nkeyAuthenticator(encoder.encode(credentials['nkey.seed'].trim()))
    : credentials['user.creds']
      ? credsAuthenticator(encoder.encode(credentials['user.creds']))
      : credentials.username
        ? usernamePasswordAuthenticator(credentials.username, credentials.password)
        : undefined;
  const options = {
    servers: [`tls://${address}:4222`],
    tls: {
      ca: credentials['ca.crt'],
      ...(certificate ? { cert: certificate['tls.crt'], key: certificate['tls.key'] } : {}),
      servername,
    } as never,
    ...(authenticator ? { authenticator } : {}),
    timeout: 5_000,
    reconnect: false,
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect(options);
    } catch (error) {
      if (!droppedMidHandshake(error) || attempt >= attempts) throw error;
      process.stderr.write(
        `connectWith ${address}: attempt ${attempt} ${String(error)}: the server dropped the connection mid-handshake; retrying\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

// A server closes a client whose TLS handshake outlasts its tls.timeout (2 s), logging that only at
// debug level; on a loaded machine the client then writes into the closed socket (`write EPIPE`,
// seen in fresh-clone CI with no error in either server's log). An application's client would
// reconnect; so does this one, a few times. A refusal (no certificate, bad credentials) still
// fails: it fails the same way on every attempt.
// nats.js passes the socket's error on as it is, or wrapped as a ConnectionError with it as the cause.
const droppedMidHandshake = (error: unknown): boolean => {
  const { code, cause } = (error ?? {}) as { code?: string; cause?: unknown };
  return code === 'EPIPE' || code === 'ECONNRESET' || (cause !== undefined && droppedMidHandshake(cause));
};
const CONNECT_ATTEMPTS = 3;

/** Publishes one message to a fresh subject and receives it: proof of a working round trip. */
export async function roundTrip(nc: NatsConnection, subject = `warden.demo.${Date.now()}`): Promise<string> {
  const sub = nc.subscribe(subject, { max: 1, timeout: 5_000 });
  await nc.flush();
  const payload = `hello through TLS at ${new Date().toISOString()}`;
  nc.publish(subject, payload);
  for await (const msg of sub) return msg.string();
  throw new Error(`no message on ${subject}`);
}
