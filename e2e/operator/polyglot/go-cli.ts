// The Go side of the polyglot clients: the pinned `nats` CLI (natscli on nats.go). nats.go verifies
// the server certificate against the host name of the URL it dials and has no option (nor has the
// CLI a flag) to verify another name, so the CLI dials tls://<servername>:4222 inside a private
// mount namespace whose /etc/hosts maps that name to the address (sandboxSpawn, the same private DNS
// view test/servers/support/clients.ts gives the CLI). Verification is never turned off.
// nats.go also adds the names the server advertises (INFO connect_urls) to its pool and, when the
// first server refuses it, tries each and reports only the last error (nats.go v1.55.0 nats.go:3007,
// Conn.connect); those names resolve to the same address here, so the refusal reported is that
// server's own rather than a failed lookup of a name outside the view (the server certificate holds
// the headless wildcard, so every advertised name verifies). The flip side, proven in
// test/servers/polyglot-clients.test.ts: a wrong server name alone does not stop the CLI, which falls
// over to an advertised name; a foreign CA does. Every CLI run is bounded (timeout 10).
import { writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { sandboxSpawn, toolPath } from '@nats-warden/local-cluster';
import { withCredentialFiles, type AppCredentials, type CredentialFiles } from './credentials.ts';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function natsCommand(c: AppCredentials, files: CredentialFiles): string {
  const args = [
    toolPath('nats'),
    '--server',
    `tls://${c.servername}:4222`,
    '--tlsca',
    files.ca,
    '--timeout',
    '5s',
  ];
  if (files.cert && files.key) args.push('--tlscert', files.cert, '--tlskey', files.key);
  if (files.creds) args.push('--creds', files.creds);
  if (files.nkey) args.push('--nkey', files.nkey);
  if (c.username) args.push('--user', c.username); // the password goes in NATS_PASSWORD, not argv
  return args.map(q).join(' ');
}

// Subscribes in the background and publishes every 200 ms until the subscriber has its message
// (interest is registered asynchronously), for at most 8 s; the subscriber's exit code is the result.
// The subscriber runs as its own process (exec), so killing it ends the CLI and its connection at
// once; a backgrounded shell function would leave the CLI connected until its timeout.
const ROUND_TRIP = String.raw`
(nats_exec sub "$SUBJECT" --count 1 --raw) &
sub=$!
for _ in $(seq 40); do
  kill -0 $sub 2>/dev/null || break
  nats pub "$SUBJECT" "$PAYLOAD" >&2 || { kill $sub 2>/dev/null; wait $sub; exit 1; }
  sleep 0.2
done
kill $sub 2>/dev/null
wait $sub
`;

const PUBLISH = `nats pub "$SUBJECT" "$PAYLOAD"`;

/** The host names a server advertises to clients, from the INFO it sends before any TLS; none if it sends none. */
function advertisedNames(address: string): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = tcpConnect(4222, address);
    let received = '';
    const done = (names: string[]) => (socket.destroy(), resolve(names));
    socket.setTimeout(2_000, () => done([]));
    socket.on('error', () => done([]));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const info = /^INFO (\{.*\})\s*\r\n/.exec(received)?.[1];
      if (!info) return;
      const urls = (JSON.parse(info) as { connect_urls?: string[] }).connect_urls ?? [];
      done(
        urls
          .map((url) => url.replace(/:\d+$/, ''))
          .filter((host) => /^[a-z0-9.-]*[a-z][a-z0-9.-]*$/i.test(host)),
      );
    });
  });
}

async function runCli(c: AppCredentials, script: string, subject: string, payload: string) {
  return withCredentialFiles(c, async (files) => {
    const hosts = join(files.dir, 'hosts');
    const names = [c.servername, ...(await advertisedNames(c.address))];
    writeFileSync(hosts, `127.0.0.1 localhost\n${c.address} ${[...new Set(names)].join(' ')}\n`);
    const child = sandboxSpawn(
      {
        argv: [
          '/bin/bash',
          '-c',
          `nats() { timeout 10 ${natsCommand(c, files)} "$@"; }\nnats_exec() { exec timeout 10 ${natsCommand(c, files)} "$@"; }\n${script}`,
        ],
        env: {
          PATH: '/usr/bin:/bin',
          HOME: files.dir, // no CLI context of the host's user applies
          SUBJECT: subject,
          PAYLOAD: payload,
          ...(c.username ? { NATS_PASSWORD: c.password ?? '' } : {}),
        },
        mounts: [{ source: hosts, target: '/etc/hosts', readOnly: true }],
        cwd: files.dir,
      },
      ['ignore', 'pipe', 'pipe'],
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += String(d)));
    child.stderr?.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, stdout, stderr };
  });
}

/** The CLI's own complaint: its error lines, without the "Published N bytes" chatter. */
function failure(stderr: string, fallback: string): Error {
  const lines = stderr.split('\n').filter((l) => l.trim() && !/Published \d+ bytes/.test(l));
  return new Error([...new Set(lines)].join('; ') || fallback);
}

export async function roundTripGo(c: AppCredentials, subject: string, payload: string): Promise<string> {
  const { code, stdout, stderr } = await runCli(c, ROUND_TRIP, subject, payload);
  if (code !== 0) throw failure(stderr, `nats CLI exited ${code} without a message on ${subject}`);
  return stdout.replace(/\n$/, '');
}

export async function publishGo(c: AppCredentials, subject: string, payload: string): Promise<void> {
  const { code, stderr } = await runCli(c, PUBLISH, subject, payload);
  if (code !== 0) throw failure(stderr, `nats CLI exited ${code}`);
}
