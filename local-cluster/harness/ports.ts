// Free loopback ports: ask the kernel for an ephemeral port on 127.0.0.1 and release it. Ports
// handed out in one run are remembered so two components never get the same one.
import { createServer } from 'node:net';

const given = new Set<number>();

function once(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await once();
    if (port > 0 && !given.has(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port');
}
