// Runs a rendered NatsCluster as real nats-server processes without Kubernetes: each pod's volumes
// are laid out as the rendered StatefulSet mounts them (ConfigMap, Secrets, the certificates issued
// from the rendered Certificates), bind-mounted at their mountPaths in a private mount namespace
// with a private /etc/hosts that resolves the pod and Service DNS names, on its own 127.0.x.y.
import type { ChildProcess } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsCluster } from '../../../src/api/index.ts';
import type { Documents } from '../../../src/cli/documents.ts';
import { generateIdentities, type GeneratedIdentities } from '../../../src/identity/generate-identities.ts';
import { fetchMonitor } from '../../../src/nats/monitor.ts';
import {
  childNames,
  membersOf,
  podFqdn,
  renderCluster,
  type ClusterMembers,
  type RenderContext,
} from '../../../src/render/index.ts';
import { sandboxSpawn, toolPath } from '@nats-warden/local-cluster';
import { issueAll, type IssuedSecret } from './pki.ts';

export interface Rendered {
  cluster: NatsCluster;
  members: ClusterMembers;
  generated: GeneratedIdentities;
  objects: any[];
  issued: Record<string, IssuedSecret>;
  trustBundle: string;
}

/** Renders the first NatsCluster of the documents with real identities and real certificates. */
export async function renderLocally(docs: Documents): Promise<Rendered> {
  const cluster = docs.clusters[0];
  if (!cluster) throw new Error('no NatsCluster in the documents');
  const members = membersOf(cluster, docs.accounts, docs.users);
  const generated = await generateIdentities(cluster, members.accounts, members.users);
  const context: RenderContext = {
    clusterDomain: 'cluster.local',
    defaultImage: 'nats',
    operatorImage: 'nats-warden',
    identities: generated.identities,
    trustBundle: '',
    certificateRevisions: { server: 1, routes: 1 },
  };
  const issued = issueAll(renderCluster(cluster, members, context));
  const trustBundle = issued[childNames(cluster.metadata.name).caSecret]?.['tls.crt'] ?? '';
  return {
    cluster,
    members,
    generated,
    objects: renderCluster(cluster, members, { ...context, trustBundle }) as any[],
    issued,
    trustBundle,
  };
}

export interface LocalServer {
  name: string;
  ordinal: number;
  ip: string;
  fqdn: string;
  log: string;
  process?: ChildProcess;
}

export interface StartOptions {
  /** Third octet of the 127.0.x.y addresses: distinct per test file so parallel files never collide. */
  block: number;
  /** Change a pod's files before it starts (path inside the pod -> content), e.g. a wrong route password. */
  tamper?: (ordinal: number, files: Record<string, string>) => void;
}

const decode = (v: string) => Buffer.from(v, 'base64').toString('utf8');

export class LocalCluster {
  readonly servers: LocalServer[] = [];
  readonly rendered: Rendered;
  private readonly root: string;
  private readonly options: StartOptions;

  constructor(rendered: Rendered, options: StartOptions) {
    this.rendered = rendered;
    this.options = options;
    this.root = mkdtempSync(join(tmpdir(), `nats-warden-servers-${rendered.cluster.metadata.name}-`));
    const { cluster } = rendered;
    for (let i = 0; i < cluster.spec.replicas; i++) {
      this.servers.push({
        name: `${cluster.metadata.name}-${i}`,
        ordinal: i,
        ip: `127.0.${options.block}.${10 + i}`,
        fqdn: podFqdn(cluster, i, 'cluster.local'),
        log: join(this.root, `server-${i}.log`),
      });
    }
    writeFileSync(join(this.root, 'hosts'), this.hostsFile());
  }

  private get statefulSet() {
    return this.rendered.objects.find((o) => o.kind === 'StatefulSet');
  }

  private hostsFile(): string {
    const { cluster } = this.rendered;
    const ns = cluster.metadata.namespace ?? 'default';
    const headless = childNames(cluster.metadata.name).headlessService;
    const service = childNames(cluster.metadata.name).clientService;
    const lines = ['127.0.0.1 localhost'];
    for (const s of this.servers)
      lines.push(`${s.ip} ${s.fqdn} ${s.name}.${headless}.${ns}.svc ${s.name}.${headless}.${ns}`);
    lines.push(
      `${this.servers[0]?.ip} ${service}.${ns}.svc.cluster.local ${service}.${ns}.svc ${service}.${ns} ${service}`,
    );
    return lines.join('\n') + '\n';
  }

  /** Files of one volume, as kubelet would project them. */
  private volumeFiles(volume: any): Record<string, string> {
    const { objects, issued } = this.rendered;
    if (volume.configMap)
      return {
        ...(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === volume.configMap.name)?.data ??
          {}),
      };
    if (volume.secret) {
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === volume.secret.secretName);
      if (secret)
        return Object.fromEntries(
          Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, decode(v)]),
        );
      const cert = issued[volume.secret.secretName];
      if (cert) return { ...cert };
      throw new Error(`volume ${volume.name}: no Secret ${volume.secret.secretName} rendered or issued`);
    }
    return {};
  }

  /** Lays out pod `ordinal`'s volumes; returns the mounts and the nats container's env and argv. */
  private layout(server: LocalServer) {
    const pod = this.statefulSet.spec.template.spec;
    const container = pod.containers.find((c: any) => c.name === 'nats');
    const volumes = new Map<string, any>(pod.volumes.map((v: any) => [v.name, v]));
    const files: Record<string, string> = {};
    const mounts = container.volumeMounts.map((m: any) => {
      const source = join(this.root, `pod-${server.ordinal}`, m.name);
      mkdirSync(source, { recursive: true });
      for (const [file, text] of Object.entries(this.volumeFiles(volumes.get(m.name) ?? {})))
        files[`${m.mountPath}/${file}`] = text;
      return { source, target: m.mountPath, readOnly: false, volume: m.name };
    });
    this.options.tamper?.(server.ordinal, files);
    for (const m of mounts) {
      for (const [path, text] of Object.entries(files))
        if (path.startsWith(`${m.target}/`))
          writeFileSync(join(m.source, path.slice(m.target.length + 1)), text, { mode: 0o600 });
    }
    const env: Record<string, string> = { PATH: '/usr/bin:/bin' };
    const fields: Record<string, string> = {
      'metadata.name': server.name,
      'metadata.namespace': this.rendered.cluster.metadata.namespace ?? 'default',
      'status.podIP': server.ip,
    };
    for (const e of container.env)
      env[e.name] = e.valueFrom?.fieldRef
        ? (fields[e.valueFrom.fieldRef.fieldPath] ?? '')
        : String(e.value).replace(/\$\(([A-Z_]+)\)/g, (_: string, n: string) => env[n] ?? '');
    const all = [
      ...mounts.map(({ source, target, readOnly }: any) => ({ source, target, readOnly })),
      { source: join(this.root, 'hosts'), target: '/etc/hosts', readOnly: true },
    ];
    return { mounts: all, env, argv: [toolPath('nats-server'), ...container.args] };
  }

  private run(server: LocalServer, extraArgs: string[], logFile: string): ChildProcess {
    const { mounts, env, argv } = this.layout(server);
    const fd = openSync(logFile, 'a');
    const child = sandboxSpawn({ argv: [...argv, ...extraArgs], env, mounts, cwd: '/' }, ['ignore', fd, fd]);
    closeSync(fd);
    return child;
  }

  /** `nats-server -t` on each pod's files: the configuration as the pod would load it. */
  async configTest(): Promise<void> {
    for (const server of this.servers) {
      const log = join(this.root, `configtest-${server.ordinal}.log`);
      const code = await new Promise<number | null>((resolve) =>
        this.run(server, ['-t'], log).on('exit', resolve),
      );
      if (code !== 0) throw new Error(`nats-server -t rejected ${server.name}: ${readFileSync(log, 'utf8')}`);
    }
  }

  async start(ordinals = this.servers.map((s) => s.ordinal)): Promise<void> {
    for (const server of this.servers.filter((s) => ordinals.includes(s.ordinal)))
      server.process = this.run(server, [], server.log);
    for (const server of this.servers.filter((s) => ordinals.includes(s.ordinal)))
      await this.waitHealthy(server);
  }

  /** Whether the servers have a monitoring port (spec.monitoring.enabled). */
  get monitored(): boolean {
    return this.rendered.cluster.spec.monitoring?.enabled !== false;
  }

  async waitHealthy(server: LocalServer, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Without a monitoring port, the client port accepting a connection is all there is to ask.
      const ok = this.monitored
        ? await this.monitor(server, '/healthz?js-server-only=true').then(
            (r) => r !== undefined,
            () => false,
          )
        : await accepts(server.ip, 4222);
      if (ok) return;
      if (Date.now() > deadline || server.process?.exitCode !== null) {
        throw new Error(
          `${server.name} did not become healthy: ${readFileSync(server.log, 'utf8').slice(-2000)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async monitor<T = any>(server: LocalServer, path: string): Promise<T> {
    const https = this.rendered.cluster.spec.tls.monitor.https;
    const response = await fetchMonitor<T>(
      { host: server.ip, port: 8222, https, servername: server.fqdn, ca: this.rendered.trustBundle },
      path,
    );
    if (response.status !== 200)
      throw new Error(`${server.name} ${path}: HTTP ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Peers each server routes to, by name. */
  async routePeers(server: LocalServer): Promise<string[]> {
    const routez = await this.monitor<{ routes?: { remote_name: string }[] }>(server, '/routez');
    return [...new Set((routez.routes ?? []).map((r) => r.remote_name))].sort();
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(async (server) => {
        const child = server.process;
        if (!child || child.exitCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Whether a TCP connection to host:port is accepted (then closed at once). */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
