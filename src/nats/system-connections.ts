// One system-user connection per NatsCluster, reused by every account reconcile: a thousand
// accounts must not mean a thousand TLS handshakes. A connection is replaced when what it was made
// from changes (the servers' addresses, the trust bundle, the system user's creds, the client
// certificate) and dropped when it closes; the next caller reconnects.
import { createHash } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectSystem, type SystemConnectOptions } from './system-client.ts';

interface Pooled {
  fingerprint: string;
  connection: Promise<NatsConnection>;
}

const fingerprintOf = (o: SystemConnectOptions) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        [...o.servers].sort(),
        o.ca,
        o.creds,
        o.servername ?? '',
        o.cert?.cert ?? '',
        o.cert?.key ?? '',
      ]),
    )
    .digest('hex');

export class SystemConnections {
  private readonly pool = new Map<string, Pooled>();

  /** The cluster's connection, made (or remade) from `options`. Rejects when no server can be reached. */
  async get(cluster: string, options: SystemConnectOptions): Promise<NatsConnection> {
    const fingerprint = fingerprintOf(options);
    const pooled = this.pool.get(cluster);
    if (pooled?.fingerprint === fingerprint) {
      const nc = await pooled.connection.catch(() => undefined);
      if (nc && !nc.isClosed()) return nc;
    }
    if (pooled) void this.close(cluster);
    const connection = connectSystem(options);
    this.pool.set(cluster, { fingerprint, connection });
    try {
      const nc = await connection;
      void nc.closed().then(() => {
        if (this.pool.get(cluster)?.connection === connection) this.pool.delete(cluster);
      });
      return nc;
    } catch (error) {
      if (this.pool.get(cluster)?.connection === connection) this.pool.delete(cluster);
      throw error;
    }
  }

  async close(cluster: string): Promise<void> {
    const pooled = this.pool.get(cluster);
    this.pool.delete(cluster);
    const nc = await pooled?.connection.catch(() => undefined);
    await nc?.close().catch(() => undefined);
  }
}
