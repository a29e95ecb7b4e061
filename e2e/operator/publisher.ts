// A client that publishes continuously into an R3 JetStream stream while the cluster rolls, and
// remembers exactly which messages the cluster acknowledged: the proof that a roll loses none.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { nkeyAuthenticator } from '@nats-io/transport-node';

export interface PublisherResult {
  acked: Set<number>;
  failures: number;
}

export async function connectAll(
  addresses: string[],
  creds: Record<string, string>,
  servername: string,
): Promise<NatsConnection> {
  return connect({
    servers: addresses.map((a) => `tls://${a}:4222`),
    tls: { ca: creds['ca.crt'], cert: creds['tls.crt'], key: creds['tls.key'], servername } as never,
    authenticator: nkeyAuthenticator(new TextEncoder().encode((creds['nkey.seed'] ?? '').trim())),
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    ignoreClusterUpdates: true, // the advertised names resolve only inside the cluster
    timeout: 5_000,
  });
}

export async function createStream(nc: NatsConnection, name: string, subject: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [subject], num_replicas: 3 });
}

/** Publishes seq 1, 2, 3, ... with a message id (so a retried publish is deduplicated) until stopped. */
export function startPublisher(
  nc: NatsConnection,
  subject: string,
): { stop: () => Promise<PublisherResult> } {
  const js = jetstream(nc, { timeout: 3_000 });
  const result: PublisherResult = { acked: new Set(), failures: 0 };
  let running = true;
  const loop = (async () => {
    // A closed connection (a failed test's cleanup) ends it too, or it would retry forever.
    for (let seq = 1; running && !nc.isClosed(); seq++) {
      try {
        await js.publish(subject, String(seq), { msgID: `m-${seq}` });
        result.acked.add(seq);
      } catch {
        result.failures++;
        await new Promise((r) => setTimeout(r, 200));
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return result;
    },
  };
}

/** Every sequence number stored in the stream (the message bodies). */
export async function storedSequences(nc: NatsConnection, stream: string): Promise<Set<number>> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const stored = new Set<number>();
  for (let s = info.state.first_seq; s <= info.state.last_seq && info.state.messages > 0; s++) {
    const msg = await jsm.streams.getMessage(stream, { seq: s }).catch(() => null);
    if (msg) stored.add(Number(msg.string()));
  }
  return stored;
}
