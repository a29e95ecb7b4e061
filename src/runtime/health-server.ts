// /healthz (the process is alive), /readyz (caches synced; a standby is ready too, so a rolling
// update of the operator never waits on leadership), /metrics (Prometheus).
import { createServer, type Server } from 'node:http';
import type { OperatorMetrics } from './metrics.ts';

export function startHealthServer(
  port: number,
  host: string,
  metrics: OperatorMetrics,
  ready: () => boolean,
): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return void res.writeHead(200).end('ok');
    if (path === '/readyz')
      return void (ready() ? res.writeHead(200).end('ok') : res.writeHead(503).end('caches not synced'));
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
      return void res.end(await metrics.registry.metrics());
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
