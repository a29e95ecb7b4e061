// The reloader against a real process: a child that counts the SIGHUPs it receives.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reloaderCommand } from '../cli/reloader-command.ts';
import { digestOf } from './reloader.ts';

let dir = '';
let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Lays out a volume the way kubelet does: files are links through `..data` to a timestamped dir. */
function kubeletVolume(root: string, version: string, files: Record<string, string>): void {
  const target = join(root, `..${version}`);
  mkdirSync(target, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(target, name), text);
  symlinkSync(`..${version}`, join(root, '..data_tmp'));
  renameSync(join(root, '..data_tmp'), join(root, '..data')); // the atomic swap
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join('..data', name), join(root, name));
    } catch {
      /* the visible link already points through ..data */
    }
  }
}

describe('nats-warden reloader', () => {
  test('the digest changes when kubelet swaps ..data, and only then', () => {
    dir = mkdtempSync(join(tmpdir(), 'reloader-'));
    kubeletVolume(dir, 'v1', { 'tls.crt': 'one' });
    const first = digestOf([dir]);
    expect(digestOf([dir])).toBe(first);
    kubeletVolume(dir, 'v2', { 'tls.crt': 'two' });
    expect(digestOf([dir])).not.toBe(first);
  });

  test('sends SIGHUP to the pid in the pid file when a watched file changes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'reloader-'));
    const volume = join(dir, 'certs');
    kubeletVolume(volume, 'v1', { 'tls.crt': 'one' });
    child = spawn(
      process.execPath,
      [
        '-e',
        "let n=0; process.on('SIGHUP', () => console.log('HUP', ++n)); console.log('ready'); setInterval(() => {}, 1000)",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout?.on('data', (d) => (output += String(d)));
    const until = async (text: string) => {
      const deadline = Date.now() + 5_000;
      while (!output.includes(text) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };
    // Like nats-server, which handles signals (server.go:966) before it writes its pid file (server.go:2402).
    await until('ready');
    writeFileSync(join(dir, 'nats.pid'), String(child.pid));
    const logs: string[] = [];
    const running = reloaderCommand(
      ['--pid-file', join(dir, 'nats.pid'), '--watch', volume, '--interval', '0.1'],
      (l) => logs.push(l),
    );
    // One catch-up at start (a swap while the reloader was starting would otherwise be missed), then none.
    await until('HUP 1');
    await new Promise((r) => setTimeout(r, 400));
    expect(output).toBe('ready\nHUP 1\n');
    expect(logs.join('\n')).toContain('catching up with changes made while starting');
    kubeletVolume(volume, 'v2', { 'tls.crt': 'two' });
    await until('HUP 2');
    expect(output).toBe('ready\nHUP 1\nHUP 2\n');
    expect(logs.join('\n')).toContain(`sent SIGHUP to nats-server (pid ${child.pid})`);
    process.emit('SIGTERM');
    await running;
  });
});
