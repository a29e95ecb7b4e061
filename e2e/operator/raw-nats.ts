// NATS spoken by hand over a raw socket, for attacks a well-behaved client refuses to make (an
// oversized PUB, a CONNECT on the route port, plaintext to a TLS listener) and for TLS handshakes
// with a chosen version, suite, curve or certificate: returns what the server said and how it ended.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { fromSeed } from '@nats-io/nkeys';

export interface Session {
  /** The server's INFO, parsed (empty when the listener speaks TLS first). */
  info: { nonce?: string; tls_required?: boolean; [key: string]: unknown };
  /** Everything the server said after INFO. */
  said: string;
  /** The TLS version agreed, when the handshake finished. */
  protocol?: string;
  /** The socket error that ended the session (a TLS alert, a reset). */
  error?: string;
  /** True when the server closed the connection before the timeout. */
  closedByServer: boolean;
}

export interface SessionOptions {
  host: string;
  port: number;
  /** undefined: plaintext only. */
  tls?: ConnectionOptions;
  /** The listener starts with a TLS handshake (routes), not with a plaintext INFO (clients). */
  tlsFirst?: boolean;
  /** Lines to send once the session is up (plaintext or TLS), given the server's INFO. */
  send: (info: Session['info']) => string;
  /** Stop early once the server has said this. */
  until?: RegExp;
  timeoutMs?: number;
}

/** Signs the server's nonce with an nkey seed, as a CONNECT's `sig`. */
export const signNonce = (seed: string, nonce: string): string =>
  Buffer.from(fromSeed(new TextEncoder().encode(seed.trim())).sign(new TextEncoder().encode(nonce))).toString(
    'base64url',
  );

export function natsSession(options: SessionOptions): Promise<Session> {
  const { host, port, tls, tlsFirst, send, until, timeoutMs = 5_000 } = options;
  return new Promise((resolve) => {
    const session: Session = { info: {}, said: '', closedByServer: false };
    let sockets: Socket[] = [];
    let settled = false;
    const finish = (closedByServer: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.closedByServer = closedByServer;
      for (const s of sockets) s.destroy();
      resolve(session);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const listen = (socket: Socket) => {
      socket.on('data', (chunk: Buffer) => {
        session.said += chunk.toString('latin1');
        if (until?.test(session.said)) finish(false);
      });
      socket.on('error', (error: Error) => {
        session.error ??= error.message;
        finish(true);
      });
      socket.on('close', () => finish(true));
    };
    const upgrade = (socket?: Socket) => {
      const secure: TLSSocket = tlsConnect({ host, port, ...(socket ? { socket } : {}), ...tls });
      sockets.push(secure);
      secure.once('secureConnect', () => {
        session.protocol = secure.getProtocol() ?? undefined;
        secure.write(send(session.info));
      });
      listen(secure);
    };
    if (tls && tlsFirst) return upgrade();
    const plain = tcpConnect(port, host);
    sockets = [plain];
    let pending = '';
    const onInfo = (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const end = pending.indexOf('\r\n');
      if (end < 0) return;
      plain.off('data', onInfo);
      const line = pending.slice(0, end);
      session.info = line.startsWith('INFO ') ? JSON.parse(line.slice(5)) : {};
      if (!line.startsWith('INFO ')) session.said += pending;
      if (tls) upgrade(plain);
      else {
        listen(plain);
        plain.write(send(session.info));
      }
    };
    plain.on('data', onInfo);
    plain.on('error', (error) => {
      session.error ??= error.message;
      finish(true);
    });
    plain.on('close', () => finish(true));
  });
}

/** A TLS handshake alone (routes listen TLS-first; clients after INFO): 'ok TLSv1.3' or the failure. */
export async function handshake(
  host: string,
  port: number,
  tls: ConnectionOptions,
  tlsFirst: boolean,
): Promise<string> {
  const session = await natsSession({
    host,
    port,
    tls,
    tlsFirst,
    // After the handshake a PING: in TLS 1.3 the server checks the client certificate after the
    // client thinks it is done, so only a round trip shows whether it was accepted.
    send: () => (tlsFirst ? 'PING\r\n' : 'CONNECT {"verbose":false}\r\nPING\r\n'),
    until: /PONG|-ERR/,
  });
  if (session.error) return `failed: ${session.error}`;
  if (!session.protocol) return 'failed: closed before the handshake finished';
  return `ok ${session.protocol}`;
}
