// One container of a pod: its process (started in the pod's sandbox), restarts with back-off under
// the pod's restartPolicy, its probes, and a stop that runs the preStop hook, then SIGTERM, then
// SIGKILL when the grace period is over. Its state is what containerStatuses reports.
import type { ChildProcess } from 'node:child_process';
import { Prober, type ExecProbe } from './probes.ts';
import { alive, killTree, signal } from './proc.ts';
import type { Obj } from './types.ts';

export interface Launcher {
  /** Starts the container's main process; throws (e.g. a missing Secret) to keep it waiting. */
  start(): ChildProcess;
  /** Runs a command in the container's sandbox; resolves with its exit code (or -1 on timeout). */
  exec(command: string[], timeoutMs: number): Promise<number>;
}

export type State =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: Date; pid: number }
  | { kind: 'terminated'; exitCode: number; reason: string; startedAt: Date; finishedAt: Date };

export class Container {
  readonly spec: Obj;
  private readonly launcher: Launcher;
  private readonly restartPolicy: string;
  state: State = { kind: 'waiting', reason: 'ContainerCreating' };
  lastTermination: State | undefined;
  restartCount = 0;
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartAt = 0;
  private probes: { startup?: Prober; readiness?: Prober; liveness?: Prober } = {};

  constructor(spec: Obj, launcher: Launcher, restartPolicy: string) {
    this.spec = spec;
    this.launcher = launcher;
    this.restartPolicy = restartPolicy;
  }

  get started(): boolean {
    return this.state.kind === 'running' && (!this.probes.startup || this.probes.startup.result === true);
  }

  get ready(): boolean {
    if (!this.started) return false;
    return !this.probes.readiness || this.probes.readiness.result === true;
  }

  get finished(): boolean {
    return this.state.kind === 'terminated';
  }

  private launch(): void {
    let child: ChildProcess;
    try {
      child = this.launcher.start();
    } catch (error) {
      this.state = {
        kind: 'waiting',
        reason: 'CreateContainerConfigError',
        message: String((error as Error).message ?? error),
      };
      return;
    }
    const startedAt = new Date();
    this.child = child;
    this.state = { kind: 'running', startedAt, pid: child.pid ?? 0 };
    this.probes = {
      ...(this.spec.startupProbe ? { startup: new Prober(this.spec.startupProbe, this.spec) } : {}),
      ...(this.spec.readinessProbe ? { readiness: new Prober(this.spec.readinessProbe, this.spec) } : {}),
      ...(this.spec.livenessProbe ? { liveness: new Prober(this.spec.livenessProbe, this.spec) } : {}),
    };
    child.on('exit', (code, sig) => {
      if (this.child !== child) return;
      this.child = undefined;
      const exitCode = code ?? 128 + (sig === 'SIGKILL' ? 9 : 15);
      const terminated: State = {
        kind: 'terminated',
        exitCode,
        reason: exitCode === 0 ? 'Completed' : 'Error',
        startedAt,
        finishedAt: new Date(),
      };
      const restart =
        !this.stopping &&
        (this.restartPolicy === 'Always' || (this.restartPolicy === 'OnFailure' && exitCode !== 0));
      if (!restart) {
        this.state = terminated;
        this.restartAt = 0;
        return;
      }
      // As the real kubelet reports it: waiting in CrashLoopBackOff, the exit in lastState.
      const delay = Math.min(10_000, 1_000 * 2 ** Math.min(this.restartCount, 4));
      this.lastTermination = terminated;
      this.restartAt = Date.now() + delay;
      this.state = {
        kind: 'waiting',
        reason: 'CrashLoopBackOff',
        message: `back-off ${delay / 1000}s restarting failed container=${this.spec.name}`,
      };
    });
  }

  /** Called every second by the pod: starts, restarts after back-off, and runs probes. */
  async tick(podIP: string): Promise<void> {
    if (this.stopping) return;
    if (this.state.kind === 'waiting' && this.restartAt) {
      if (Date.now() >= this.restartAt) {
        this.restartCount++;
        this.restartAt = 0;
        this.launch();
      }
    } else if (this.state.kind === 'waiting') this.launch();
    if (this.state.kind !== 'running') return;
    const exec: ExecProbe = async (command, timeoutMs) =>
      (await this.launcher.exec(command, timeoutMs)) === 0;
    const { startup, readiness, liveness } = this.probes;
    if (startup && startup.result !== true) {
      await startup.tick(podIP, exec);
      if (startup.failed) return this.kill('startup probe failed');
      return;
    }
    await Promise.all([readiness?.tick(podIP, exec), liveness?.tick(podIP, exec)]);
    if (liveness?.failed) this.kill('liveness probe failed');
  }

  private kill(why: string): void {
    process.stderr.write(`kubelet: container ${this.spec.name}: ${why}, restarting\n`);
    if (this.child?.pid) killTree(this.child.pid);
  }

  /** preStop hook, SIGTERM, SIGKILL at the deadline (ms since epoch). */
  async stop(deadline: number): Promise<void> {
    this.stopping = true;
    this.restartAt = 0;
    const child = this.child;
    if (!child?.pid) return;
    const hook = this.spec.lifecycle?.preStop;
    if (hook?.exec) await this.launcher.exec(hook.exec.command, Math.max(0, deadline - Date.now()));
    else if (hook?.sleep)
      await new Promise((r) =>
        setTimeout(r, Math.min(hook.sleep.seconds * 1000, Math.max(0, deadline - Date.now()))),
      );
    signal(child.pid, 'SIGTERM');
    while (alive(child.pid) && this.child === child && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    if (this.child === child) killTree(child.pid);
    const hard = Date.now() + 5_000;
    while (this.child === child && Date.now() < hard) await new Promise((r) => setTimeout(r, 50));
  }

  /** Kills at once (pod gone from the API, kubelet shutting down). */
  killNow(): void {
    this.stopping = true;
    if (this.child?.pid) killTree(this.child.pid);
  }
}
