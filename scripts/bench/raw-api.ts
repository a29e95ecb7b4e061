// A lean client for the bench's floor measurement: plain HTTPS requests on kept-alive connections,
// JSON in and out. client-node's typed (de)serialisation cost the bench process most of a core
// when it created objects 16 at a time, so the API server's own rate could not be read through it.
import { Agent, request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface RawApi {
  send(method: string, path: string, body?: object, contentType?: string): Promise<number>;
  close(): void;
}

export async function rawApi(kubeconfig: string, connections: number): Promise<RawApi> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const server = new URL(kc.getCurrentCluster()!.server);
  const options: RequestOptions = {};
  await kc.applyToHTTPSOptions(options);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  return {
    send: (method, path, body, contentType = 'application/json') =>
      new Promise((resolve, reject) => {
        const payload = body ? JSON.stringify(body) : undefined;
        const req = request(
          {
            ...options,
            agent,
            hostname: server.hostname,
            port: server.port,
            method,
            path,
            headers: { ...options.headers, accept: 'application/json', 'content-type': contentType },
          },
          (res) => {
            res.resume(); // the answer is not read, only its status
            res.on('end', () =>
              (res.statusCode ?? 0) < 300
                ? resolve(res.statusCode!)
                : reject(new Error(`${method} ${path}: HTTP ${res.statusCode}`)),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
    close: () => agent.destroy(),
  };
}
