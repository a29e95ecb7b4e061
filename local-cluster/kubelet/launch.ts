// How a container's process is started: Kubernetes' command/args over the image's entrypoint with
// $(VAR) expansion, the environment (service variables for the API server, HOSTNAME, PATH with the
// image binaries), and the sandbox: volume mounts at their mountPaths (subPath, readOnly) and the
// pod's hosts file at /etc/hosts, inside a private mount namespace.
import { existsSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { Api } from './api.ts';
import type { Cache } from './cache.ts';
import type { Launcher } from './container.ts';
import { containerEnv, expand } from './env.ts';
import { containerArgv } from './images.ts';
import { sandboxSpawn, type Mount } from './sandbox.ts';
import type { Obj } from './types.ts';

export interface LaunchContext {
  api: Api;
  cache: Cache;
  binDir: string;
  apiserverPort: number;
  pod: Obj;
  podIP: string;
  podDir: string;
  volumes: Map<string, string>;
  container: Obj;
}

const hostPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function resolveBinary(binDir: string, name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (existsSync(join(binDir, base))) return join(binDir, base);
  if (name.includes('/')) return name;
  return hostPath.map((d) => join(d, name)).find((p) => existsSync(p)) ?? name;
}

function mounts(ctx: LaunchContext): Mount[] {
  const out: Mount[] = [{ source: join(ctx.podDir, 'etc-hosts'), target: '/etc/hosts', readOnly: true }];
  for (const m of ctx.container.volumeMounts ?? []) {
    const dir = ctx.volumes.get(m.name);
    if (!dir) throw new Error(`volume ${m.name} is not ready`);
    out.push({
      source: m.subPath ? join(dir, m.subPath) : dir,
      target: m.mountPath,
      readOnly: Boolean(m.readOnly),
    });
  }
  return out;
}

export function launcher(ctx: LaunchContext): Launcher {
  const pod = ctx.pod;
  const prepare = (argvIn: string[] | undefined) => {
    const base = {
      PATH: [ctx.binDir, ...hostPath].join(':'),
      HOME: '/root',
      HOSTNAME: pod.spec.hostname ?? pod.metadata.name,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(ctx.apiserverPort),
      KUBERNETES_SERVICE_PORT_HTTPS: String(ctx.apiserverPort),
      // Marks the process as this pod's, so tests (and people) can find what a pod left behind.
      NATS_WARDEN_POD: `${pod.metadata.namespace}/${pod.metadata.name}`,
    };
    const env = containerEnv(ctx.cache, pod, ctx.container, ctx.podIP, base);
    const argv = (argvIn ?? containerArgv(ctx.container)).map((a) => expand(a, env));
    const [file, ...args] = argv;
    if (!file) throw new Error('empty command');
    return {
      argv: [resolveBinary(ctx.binDir, file), ...args],
      env,
      mounts: mounts(ctx),
      cwd: ctx.container.workingDir ?? '/',
    };
  };
  const logFile = join(ctx.podDir, 'logs', `${ctx.container.name}.log`);
  return {
    start() {
      const spec = prepare(undefined);
      const fd = openSync(logFile, 'a');
      try {
        return sandboxSpawn(spec, ['ignore', fd, fd]);
      } finally {
        closeSync(fd);
      }
    },
    exec(command, timeoutMs) {
      return new Promise((resolve) => {
        let spec;
        try {
          spec = prepare(command);
        } catch {
          return resolve(-1);
        }
        const fd = openSync(logFile, 'a');
        const child = sandboxSpawn(spec, ['ignore', fd, fd]);
        closeSync(fd);
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(-1);
        }, timeoutMs);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve(code ?? -1);
        });
        child.on('error', () => resolve(-1));
      });
    },
  };
}
