// Reads a server's monitoring endpoints (/healthz, /varz, /routez) — the evidence a roll step
// needs: the pod is healthy, routes to every peer are back, JetStream is current, and the server
// serves the certificate it should.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface MonitorEndpoint {
  host: string;
  port: number;
  https: boolean;
  /** Name the server certificate must carry (the pod FQDN), when host is an IP. */
  servername?: string;
  /** PEM bundle to trust. */
  ca?: string;
}

export interface MonitorResponse<T> {
  status: number;
  body: T;
}

export function fetchMonitor<T = unknown>(
  endpoint: MonitorEndpoint,
  path: string,
  timeoutMs = 3_000,
): Promise<MonitorResponse<T>> {
  return new Promise((resolve, reject) => {
    const options = { host: endpoint.host, port: endpoint.port, path, method: 'GET', timeout: timeoutMs };
    const onResponse = (res: import('node:http').IncomingMessage) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : {}) as T });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { text } as T });
        }
      });
    };
    const req = endpoint.https
      ? httpsRequest(
          { ...options, ca: endpoint.ca, servername: endpoint.servername, rejectUnauthorized: true },
          onResponse,
        )
      : httpRequest(options, onResponse);
    req.on('timeout', () => req.destroy(new Error(`${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface Varz {
  server_name: string;
  tls_cert_not_after?: string;
  cluster?: { tls_cert_not_after?: string };
  config_load_time?: string;
}

export interface Routez {
  num_routes: number;
  routes?: { remote_name?: string; remote_id?: string; tls_version?: string }[];
}

export interface ServerHealth {
  healthy: boolean;
  /** Why not, in words for a condition message. */
  reason: string;
  varz?: Varz;
}

export interface HealthExpectation {
  peers: number;
  /** notAfter (RFC 3339) the client listener must serve; skipped when unknown. */
  serverNotAfter?: string;
  routesNotAfter?: string;
}

const sameInstant = (a: string | undefined, b: string | undefined) =>
  !a || !b || Date.parse(a) === Date.parse(b);

/** One server's health as a roll step sees it. Never throws: an unreachable server is unhealthy. */
export async function checkServer(
  endpoint: MonitorEndpoint,
  expected: HealthExpectation,
): Promise<ServerHealth> {
  try {
    const health = await fetchMonitor<{ status?: string; error?: string }>(endpoint, '/healthz');
    if (health.status !== 200)
      return { healthy: false, reason: `/healthz: ${health.body.error ?? health.status}` };
    const routez = await fetchMonitor<Routez>(endpoint, '/routez');
    const peers = new Set((routez.body.routes ?? []).map((r) => r.remote_name ?? r.remote_id)).size;
    if (peers < expected.peers)
      return { healthy: false, reason: `/routez: routes to ${peers} of ${expected.peers} peers` };
    const varz = await fetchMonitor<Varz>(endpoint, '/varz');
    if (!sameInstant(varz.body.tls_cert_not_after, expected.serverNotAfter)) {
      return {
        healthy: false,
        reason: `/varz: serves a certificate valid until ${varz.body.tls_cert_not_after}, expected ${expected.serverNotAfter}`,
        varz: varz.body,
      };
    }
    if (!sameInstant(varz.body.cluster?.tls_cert_not_after, expected.routesNotAfter)) {
      return {
        healthy: false,
        reason: `/varz: routes serve a certificate valid until ${varz.body.cluster?.tls_cert_not_after}, expected ${expected.routesNotAfter}`,
        varz: varz.body,
      };
    }
    return { healthy: true, reason: 'healthy', varz: varz.body };
  } catch (error) {
    return { healthy: false, reason: `monitoring unreachable: ${(error as Error).message}` };
  }
}
