// validateConfig against the real nats-server: a good rendered config passes, a bad one is refused
// with nats-server's own words, and no temporary file is left behind.
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { toolPath } from '@nats-warden/local-cluster';
import { validateConfig } from './nats-server-test.ts';

function selfSigned(): { cert: string; key: string } {
  const dir = execFileSync('mktemp', ['-d']).toString().trim();
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${dir}/k`,
      '-out',
      `${dir}/c`,
      '-days',
      '1',
      '-subj',
      '/CN=test',
    ],
    { stdio: 'ignore' },
  );
  const read = (f: string) => execFileSync('cat', [`${dir}/${f}`]).toString();
  const result = { cert: read('c'), key: read('k') };
  execFileSync('rm', ['-rf', dir]);
  return result;
}

describe('validateConfig with the real nats-server', () => {
  const binary = toolPath('nats-server');
  const { cert, key } = selfSigned();
  const files = (extra: string) => ({
    '/etc/nats/config/nats.conf': `server_name: $POD_NAME\nhost: $POD_IP\ntls {\n  cert_file: "/etc/nats/certs/tls.crt"\n  key_file: "/etc/nats/certs/tls.key"\n}\n${extra}include "../secrets/auth.conf"\n`,
    '/etc/nats/secrets/auth.conf':
      'accounts { A: { users: [ { user: "a", password: "$2a$11$abcdefghijklmnopqrstuu8xWj7YbX6A5YsI3mQ9x0s1Pq3u6i1Zy" } ] } }\n',
    '/etc/nats/certs/tls.crt': cert,
    '/etc/nats/certs/tls.key': key,
  });
  const config = (extra: string, overrides: Record<string, string> = {}) => ({
    files: { ...files(extra), ...overrides },
    confPath: '/etc/nats/config/nats.conf',
    env: { POD_NAME: 'n-0', POD_IP: '127.0.0.1' },
    roots: ['/etc/nats/', '/data/'],
  });

  test('accepts a valid configuration laid out as the pod sees it', async () => {
    expect(await validateConfig(config(''), binary)).toEqual({ ok: true });
  });

  test('refuses what nats-server refuses, in its own words: a key that does not match its certificate', async () => {
    const result = await validateConfig(config('', { '/etc/nats/certs/tls.key': selfSigned().key }), binary);
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.message).toMatch(/private key does not match public key/);
  });

  test('refuses an include that does not parse', async () => {
    const result = await validateConfig(
      config('', { '/etc/nats/secrets/auth.conf': 'accounts { A: { users: [ }\n' }),
      binary,
    );
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.message).toMatch(/auth.conf|Parse error/);
  });

  test('leaves no files behind', async () => {
    // A private TMPDIR: other processes (another suite, an operator) validate in the shared one.
    const previous = process.env.TMPDIR;
    const own = mkdtempSync(join(tmpdir(), 'validate-test-'));
    process.env.TMPDIR = own;
    try {
      await validateConfig(config(''), binary);
      expect(readdirSync(own)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      rmSync(own, { recursive: true, force: true });
    }
  });
});
