// A minimal Kubernetes REST client for the storage provisioner: JSON over HTTPS with the client
// certificate from a kubeconfig. The provisioner needs only list, create and delete, and the local
// cluster's package depends on nothing but js-yaml, so it talks to the API directly.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { load } from 'js-yaml';
import type { Obj } from '../types.ts';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

interface Kubeconfig {
  clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

export interface Api {
  server: string;
  call<T = Obj>(method: string, path: string, body?: unknown): Promise<T>;
  list<T = Obj>(path: string): Promise<T[]>;
}

export function connect(kubeconfigPath: string): Api {
  const config = load(readFileSync(kubeconfigPath, 'utf8')) as Kubeconfig;
  const cluster = config.clusters[0]?.cluster;
  const user = config.users[0]?.user;
  if (!cluster || !user) throw new Error(`${kubeconfigPath}: no cluster or user`);
  const b64 = (s: string) => Buffer.from(s, 'base64');
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  });
  const server = cluster.server;

  function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, server),
        {
          method,
          agent,
          timeout: 15_000,
          headers: {
            Accept: 'application/json',
            // An explicit length: chunked bodies leave the kept-alive connection unusable for the next request.
            ...(payload
              ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve((text ? JSON.parse(text) : {}) as T);
            else reject(new ApiError(status, `${method} ${path}: ${status} ${text.slice(0, 500)}`));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timeout`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  return {
    server,
    call,
    list: async <T>(path: string) => (await call<{ items: T[] }>('GET', path)).items ?? [],
  };
}
