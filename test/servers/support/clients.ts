// Real clients against a LocalCluster: nats.js with a user's generated credentials and issued
// client certificate, a raw plaintext socket, and the nats CLI in the same private DNS view.
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  usernamePasswordAuthenticator,
  type NatsConnection,
} from '@nats-io/transport-node';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childNames, clientCertificateSecretName, PORTS } from '../../../src/render/index.ts';
import { sandboxSpawn, toolPath } from '@nats-warden/local-cluster';
import type { IssuedSecret } from './pki.ts';
import type { LocalCluster, LocalServer } from './local-cluster.ts';

export interface ClientOptions {
  /** NatsUser whose credentials to use; none for certificate-mapped or anonymous attempts. */
  user?: string;
  /** The client certificate: the user's issued one by default, another, or none. */
  certificate?: IssuedSecret | 'none';
  handshakeFirst?: boolean;
  tls?: Record<string, unknown>;
  timeoutMs?: number;
}

export function authenticatorFor(local: LocalCluster, user: string) {
  const creds = local.rendered.generated.identities.users[user];
  const encode = (s: string) => new TextEncoder().encode(s);
  if (creds?.nkey) return nkeyAuthenticator(encode(creds.nkey.seed));
  if (creds?.creds) return credsAuthenticator(encode(creds.creds.content));
  const doc = local.rendered.members.users.find((u) => u.metadata.name === user);
  if (creds?.password)
    return usernamePasswordAuthenticator(doc?.spec.username ?? user, creds.password.plaintext);
  return undefined;
}

export async function connectTo(
  local: LocalCluster,
  server: LocalServer,
  options: ClientOptions = {},
): Promise<NatsConnection> {
  const userCert = options.user ? local.rendered.issued[`${options.user}-nats-client-tls`] : undefined;
  const certificate = options.certificate === 'none' ? undefined : (options.certificate ?? userCert);
  const authenticator = options.user ? authenticatorFor(local, options.user) : undefined;
  return connect({
    servers: [`tls://${server.ip}:4222`],
    tls: {
      ca: local.rendered.trustBundle,
      servername: server.fqdn,
      ...(certificate ? { cert: certificate['tls.crt'], key: certificate['tls.key'] } : {}),
      ...(options.handshakeFirst ? { handshakeFirst: true } : {}),
      ...(options.tls ?? {}),
    } as never,
    ...(authenticator ? { authenticator } : {}),
    timeout: options.timeoutMs ?? 4_000,
    reconnect: false,
  });
}

/** Errors the server reports on a connection (e.g. permission violations), as they arrive. */
export function serverErrors(nc: NatsConnection): Error[] {
  const errors: Error[] = [];
  void (async () => {
    for await (const status of nc.status()) if (status.type === 'error') errors.push(status.error);
  })();
  return errors;
}

/** Speaks plaintext NATS to a TLS-only server: returns everything the server said before closing. */
export function plaintextAttempt(server: LocalServer, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const socket = tcpConnect(4222, server.ip);
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.setTimeout(timeoutMs, done);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('INFO') && !received.includes('CONNECT-SENT')) {
        socket.write('CONNECT {"verbose":false,"pedantic":false}\r\nPING\r\n');
        received += '\nCONNECT-SENT\n';
      }
    });
    socket.on('close', done);
    socket.on('error', done);
  });
}

/**
 * A TLS handshake with a server's route listener as a peer makes it (routes speak TLS first, before
 * any INFO), with the route certificate and at most `maxVersion`: 'ok' with the version agreed, or
 * why it failed.
 */
export function routeHandshake(
  local: LocalCluster,
  server: LocalServer,
  maxVersion: 'TLSv1.2' | 'TLSv1.3',
  timeoutMs = 5_000,
): Promise<string> {
  const route = local.rendered.issued[childNames(local.rendered.cluster.metadata.name).routesSecret];
  return new Promise((resolve) => {
    const secure = tlsConnect({
      host: server.ip,
      port: PORTS.cluster,
      servername: server.fqdn,
      ca: local.rendered.trustBundle,
      cert: route?.['tls.crt'],
      key: route?.['tls.key'],
      maxVersion,
    });
    const timer = setTimeout(() => (secure.destroy(), resolve('failed: timeout')), timeoutMs);
    const settle = (outcome: string) => (clearTimeout(timer), resolve(outcome));
    secure.once('secureConnect', () => {
      const version = secure.getProtocol();
      secure.destroy();
      settle(`ok ${version}`);
    });
    secure.once('error', (error) => settle(`failed: ${error.message}`));
    secure.once('close', () => settle('failed: closed before the handshake finished'));
  });
}

export function certificateFor(local: LocalCluster, user: string): IssuedSecret {
  const doc = local.rendered.members.users.find((u) => u.metadata.name === user);
  const issued = doc ? local.rendered.issued[clientCertificateSecretName(doc)] : undefined;
  if (!issued) throw new Error(`no client certificate issued for ${user}`);
  return issued;
}

/** Runs the nats CLI with the user's files, resolving the cluster's DNS names; returns its exit code and output. */
export async function natsCli(
  local: LocalCluster,
  server: LocalServer,
  user: string,
  script: (nats: string) => string,
): Promise<{ code: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-warden-cli-'));
  try {
    const cert = certificateFor(local, user);
    const seed = local.rendered.generated.identities.users[user]?.nkey?.seed ?? '';
    writeFileSync(join(dir, 'ca.crt'), local.rendered.trustBundle);
    writeFileSync(join(dir, 'tls.crt'), cert['tls.crt']);
    writeFileSync(join(dir, 'tls.key'), cert['tls.key']);
    writeFileSync(join(dir, 'nkey.seed'), seed);
    const nats = `${toolPath('nats')} --server tls://${server.fqdn}:4222 --tlsca ${dir}/ca.crt --tlscert ${dir}/tls.crt --tlskey ${dir}/tls.key --nkey ${dir}/nkey.seed --timeout 5s`;
    const hosts = (local as unknown as { root: string }).root;
    const child = sandboxSpawn(
      {
        argv: ['/bin/bash', '-c', script(nats)],
        env: { PATH: '/usr/bin:/bin', HOME: dir },
        mounts: [{ source: join(hosts, 'hosts'), target: '/etc/hosts', readOnly: true }],
        cwd: dir,
      },
      ['ignore', 'pipe', 'pipe'],
    );
    let output = '';
    child.stdout?.on('data', (d) => (output += String(d)));
    child.stderr?.on('data', (d) => (output += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
