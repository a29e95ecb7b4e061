// Startup, readiness and liveness probes as the kubelet runs them: httpGet (HTTP or HTTPS without
// verification, named or numbered ports, headers), tcpSocket and exec, with initialDelaySeconds,
// periodSeconds, timeoutSeconds, successThreshold and failureThreshold.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Obj } from './types.ts';

export type ExecProbe = (command: string[], timeoutMs: number) => Promise<boolean>;

function resolvePort(container: Obj, port: number | string): number {
  if (typeof port === 'number') return port;
  const named = (container.ports ?? []).find((p: Obj) => p.name === port);
  return named ? named.containerPort : Number(port);
}

function httpGet(action: Obj, container: Obj, podIP: string, timeoutMs: number): Promise<boolean> {
  const https = action.scheme === 'HTTPS';
  const url = new URL(
    `${https ? 'https' : 'http'}://${action.host ?? podIP}:${resolvePort(container, action.port)}${action.path ?? '/'}`,
  );
  const headers = Object.fromEntries((action.httpHeaders ?? []).map((h: Obj) => [h.name, h.value]));
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcp(action: Obj, container: Obj, podIP: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({
      host: action.host ?? podIP,
      port: resolvePort(container, action.port),
      timeout: timeoutMs,
    });
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('timeout', () => (socket.destroy(), resolve(false)));
    socket.on('error', () => resolve(false));
  });
}

/** Probe state for one probe of one container run; `tick` is called every second. */
export class Prober {
  private readonly probe: Obj;
  private readonly container: Obj;
  private readonly startedAt: number;
  private lastRun = 0;
  private successes = 0;
  private failures = 0;
  private inFlight = false;
  result: boolean | undefined;
  failed = false;

  constructor(probe: Obj, container: Obj) {
    this.probe = probe;
    this.container = container;
    this.startedAt = Date.now();
  }

  async tick(podIP: string, exec: ExecProbe): Promise<void> {
    const p = this.probe;
    const now = Date.now();
    if (this.inFlight || now - this.startedAt < (p.initialDelaySeconds ?? 0) * 1000) return;
    if (now - this.lastRun < (p.periodSeconds ?? 10) * 1000) return;
    this.lastRun = now;
    this.inFlight = true;
    const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
    let ok: boolean;
    if (p.httpGet) ok = await httpGet(p.httpGet, this.container, podIP, timeoutMs);
    else if (p.tcpSocket) ok = await tcp(p.tcpSocket, this.container, podIP, timeoutMs);
    else if (p.exec) ok = await exec(p.exec.command, timeoutMs);
    else ok = true;
    this.inFlight = false;
    if (ok) {
      this.failures = 0;
      if (++this.successes >= (p.successThreshold ?? 1)) this.result = true;
    } else {
      this.successes = 0;
      if (++this.failures >= (p.failureThreshold ?? 3)) {
        this.result = false;
        this.failed = true;
      }
    }
  }
}
