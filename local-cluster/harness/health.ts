// Waiting for components to become healthy: polls an HTTP(S) endpoint until it answers 200 (with
// the admin client certificate for the API server), failing with the component's log tail when
// the process has died or the deadline has passed.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { isAlive, logTail, type Started } from './processes.ts';

export interface Tls {
  ca?: string;
  cert?: string;
  key?: string;
}

export function get(
  url: string,
  tls: Tls = {},
  timeoutMs = 3_000,
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const read = (f?: string) => (f ? readFileSync(f) : undefined);
  return new Promise((resolve, reject) => {
    const options = {
      method: 'GET',
      timeout: timeoutMs,
      ...(u.protocol === 'https:'
        ? { ca: read(tls.ca), cert: read(tls.cert), key: read(tls.key), rejectUnauthorized: Boolean(tls.ca) }
        : {}),
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  process?: Started,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (process && !isAlive(process.pid)) {
      throw new Error(`${what}: ${process.name} exited\n${logTail(process.name)}`);
    }
    try {
      if (await check()) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const tail = process ? `\n${logTail(process.name)}` : '';
  throw new Error(`${what}: not ready after ${timeoutMs} ms ${last}${tail}`);
}

export function waitHealthy(p: Started, url: string, tls: Tls = {}, timeoutMs = 60_000): Promise<void> {
  return waitFor(`${p.name} ${url}`, async () => (await get(url, tls)).status === 200, timeoutMs, p);
}
