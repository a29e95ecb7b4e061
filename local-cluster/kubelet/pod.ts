// One pod on one emulated node: its address, volumes, hosts file, init containers run in order,
// then its containers; each second it refreshes volumes and probes and writes status back. On
// deletion it runs preStop hooks and honours the grace period, then removes the pod from the API.
import { mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError, type Api } from './api.ts';
import type { Cache } from './cache.ts';
import { Container } from './container.ts';
import { launcher } from './launch.ts';
import { StatusBuilder } from './status.ts';
import { forgetTokens, syncVolumes } from './volumes.ts';
import type { Obj } from './types.ts';

export interface PodContext {
  api: Api;
  cache: Cache;
  dir: string;
  binDir: string;
  apiserverPort: number;
  hostsFor(pod: Obj, podIP: string): string;
}

export class PodWorker {
  pod: Obj;
  readonly podIP: string;
  private readonly ctx: PodContext;
  private readonly dir: string;
  private readonly status = new StatusBuilder();
  private init: Container[] = [];
  private containers: Container[] = [];
  private volumes: Map<string, string> | undefined;
  private lastSent = '';
  private terminating = false;
  private busy = false;
  done = false;

  constructor(ctx: PodContext, pod: Obj, podIP: string) {
    this.ctx = ctx;
    this.pod = pod;
    this.podIP = podIP;
    this.dir = join(ctx.dir, 'pods', pod.metadata.uid);
    mkdirSync(join(this.dir, 'logs'), { recursive: true });
  }

  private get path(): string {
    return `/api/v1/namespaces/${this.pod.metadata.namespace}/pods/${this.pod.metadata.name}`;
  }

  private makeContainers(): void {
    const policy = this.pod.spec.restartPolicy ?? 'Always';
    const make = (spec: Obj, restart: string) =>
      new Container(
        spec,
        launcher({
          ...this.ctx,
          pod: this.pod,
          podIP: this.podIP,
          podDir: this.dir,
          volumes: this.volumes ?? new Map(),
          container: spec,
        }),
        restart,
      );
    this.init = (this.pod.spec.initContainers ?? []).map((c: Obj) =>
      make(c, policy === 'Always' ? 'OnFailure' : policy),
    );
    this.containers = (this.pod.spec.containers ?? []).map((c: Obj) => make(c, policy));
  }

  private writeHosts(): void {
    const file = join(this.dir, 'etc-hosts');
    const text = this.ctx.hostsFor(this.pod, this.podIP);
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {
      // first time
    }
    if (old !== text) writeFileSync(file, text); // in place: the bind mount keeps the inode
  }

  async tick(pod: Obj): Promise<void> {
    this.pod = pod;
    if (this.busy || this.terminating || this.done) return;
    this.busy = true;
    try {
      await this.sync(pod);
    } finally {
      this.busy = false;
    }
  }

  private async sync(pod: Obj): Promise<void> {
    if (pod.metadata.deletionTimestamp) return this.terminate();
    this.writeHosts();
    try {
      this.volumes = await syncVolumes(this.ctx.api, this.ctx.cache, this.dir, pod, this.podIP);
    } catch (error) {
      if (!this.containers.length) return this.report({ waiting: String((error as Error).message) });
    }
    if (!this.containers.length) this.makeContainers();
    let initDone = true;
    for (const c of this.init) {
      if (c.finished && c.state.kind === 'terminated' && c.state.exitCode === 0) continue;
      initDone = false;
      await c.tick(this.podIP);
      break;
    }
    if (initDone) await Promise.all(this.containers.map((c) => c.tick(this.podIP)));
    await this.report({ initDone });
  }

  private async report(what: { initDone?: boolean; waiting?: string }): Promise<void> {
    const status = this.status.build(
      this.pod,
      this.podIP,
      this.init,
      this.containers,
      what.initDone ?? false,
    );
    if (what.waiting) {
      status.containerStatuses = (this.pod.spec.containers ?? []).map((c: Obj) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: 'ContainerCreating', message: what.waiting } },
      }));
    }
    const text = JSON.stringify(status);
    if (text === this.lastSent) return;
    try {
      await this.ctx.api.mergePatch(`${this.path}/status`, { status });
      this.lastSent = text;
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }

  private async terminate(): Promise<void> {
    this.terminating = true;
    const grace =
      this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    const deadline = Date.now() + grace * 1000;
    await Promise.all(this.containers.map((c) => c.stop(deadline)));
    await Promise.all(this.init.map((c) => c.stop(Date.now())));
    try {
      await this.ctx.api.call('DELETE', this.path, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: this.pod.metadata.uid },
      });
    } catch (error) {
      if (!(error instanceof ApiError && (error.status === 404 || error.status === 409))) throw error;
    }
    this.cleanUp();
  }

  /** The pod vanished from the API (or the kubelet is stopping): kill everything now. */
  killNow(): void {
    for (const c of [...this.init, ...this.containers]) c.killNow();
    this.cleanUp();
  }

  private cleanUp(): void {
    this.done = true;
    forgetTokens(this.pod.metadata.uid);
    rmSync(join(this.dir, 'volumes'), { recursive: true, force: true });
  }
}
