// The credentials Secret the operator hands an application works from three client libraries —
// nats.js, the nats CLI (Go) and nats-py — against real nats-servers running the rendered
// configuration: each logs in and round-trips, and each is refused for the right reason (a
// permission it lacks, creds nobody issued, a missing client certificate) in its own words.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import {
  LANGUAGES,
  publishIn,
  roundTripIn,
  type AppCredentials,
  type ClientLanguage,
} from '../../e2e/operator/polyglot.ts';
import { credentialsSecretNameOf } from '../../src/api/index.ts';
import type { Documents } from '../../src/cli/documents.ts';
import { newAccountKey, newUserKey, userCreds } from '../../src/identity/jwt.ts';
import { loadExample } from '../fixtures/examples.ts';
import { certificateFor } from './support/clients.ts';
import { LocalCluster, renderLocally } from './support/local-cluster.ts';
import { issue } from './support/pki.ts';

jest.setTimeout(30_000);
const clusters: LocalCluster[] = [];
afterAll(async () => Promise.all(clusters.map((c) => c.stop())));

async function startExample(docs: Documents, block: number) {
  const local = new LocalCluster(await renderLocally(docs), { block });
  clusters.push(local);
  await local.configTest();
  await local.start();
  return local;
}

/**
 * What user's application mounts: its rendered credentials Secret (and its issued client
 * certificate, where there is one), dialing the first server by IP and verifying the name in `url`.
 */
function appCredentials(local: LocalCluster, user: string): AppCredentials {
  const doc = local.rendered.members.users.find((u) => u.metadata.name === user)!;
  const secret = local.rendered.objects.find(
    (o) => o.kind === 'Secret' && o.metadata.name === credentialsSecretNameOf(doc),
  );
  if (!secret) throw new Error(`no credentials Secret rendered for ${user}`);
  const file = (key: string): string | undefined =>
    secret.data[key] === undefined ? undefined : Buffer.from(secret.data[key], 'base64').toString('utf8');
  const cert = secret.data['tls-secret-name'] ? certificateFor(local, user) : undefined;
  return {
    address: local.servers[0]!.ip,
    servername: new URL(file('url')!).hostname,
    ca: file('ca.crt')!,
    ...(file('user.creds') ? { creds: file('user.creds')! } : {}),
    ...(file('nkey.seed') ? { nkeySeed: file('nkey.seed')! } : {}),
    ...(file('username') ? { username: file('username')!, password: file('password')! } : {}),
    ...(cert ? { cert: { crt: cert['tls.crt'], key: cert['tls.key'] } } : {}),
  };
}

/** The error a promise was rejected with, or a failure when it was not. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    (value) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(value)}`);
    },
    (error: Error) => error.message,
  );
}

const timings: Record<string, number[]> = {};
async function timedRoundTrip(lang: ClientLanguage, c: AppCredentials, subject: string) {
  const started = performance.now();
  const received = await roundTripIn(lang, c, subject);
  (timings[lang] ??= []).push(performance.now() - started);
  return received;
}
afterAll(() => {
  for (const [lang, ms] of Object.entries(timings)) {
    const mean = Math.round(ms.reduce((a, b) => a + b, 0) / ms.length);
    process.stderr.write(
      `\nfigure: ${lang} round trip ${mean} ms (mean of ${ms.length}, connect included)\n`,
    );
  }
});

describe('JWT operator mode (examples/jwt-operator.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startExample(loadExample('jwt-operator'), 156);
    // What the operator does for each NatsAccount: push its JWT to the full resolver as the system user.
    const sensor = appCredentials(local, 'sensor');
    const sys = await connect({
      servers: [`tls://${sensor.address}:4222`],
      tls: {
        ca: sensor.ca,
        servername: sensor.servername,
        cert: sensor.cert?.crt,
        key: sensor.cert?.key,
      } as never,
      authenticator: credsAuthenticator(
        new TextEncoder().encode(local.rendered.generated.jwtKeys!.systemUserCreds),
      ),
      reconnect: false,
    });
    for (const { jwt } of Object.values(local.rendered.generated.identities.jwt!.accounts)) {
      const reply = await sys.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: 5_000 });
      expect(reply.string()).toMatch(/jwt updated|"code":200/);
    }
    await sys.close();
  });

  test.each(LANGUAGES)('%s: the sensor creds round-trip on an allowed subject', async (lang) => {
    const sensor = appCredentials(local, 'sensor');
    expect(sensor.creds).toContain('NATS USER JWT');
    for (let i = 0; i < 3; i++)
      expect(await timedRoundTrip(lang, sensor, `metrics.polyglot.${i}`)).toMatch(
        new RegExp(`^hello from ${escape(lang)}`),
      );
  });

  test.each(LANGUAGES)(
    '%s: a publish outside the allowed subjects is a permissions violation',
    async (lang) => {
      const message = await refusal(
        publishIn(lang, appCredentials(local, 'sensor'), 'private.polyglot', 'x'),
      );
      expect(message).toMatch(/permissions violation for publish to "private\.polyglot"/i);
    },
  );

  test.each(LANGUAGES)(
    '%s: creds signed by an account the operator never issued are refused',
    async (lang) => {
      const rogue = {
        ...appCredentials(local, 'sensor'),
        creds: userCreds(newAccountKey(), newUserKey(), 'rogue'),
      };
      // nats-py words the server's 'Authorization Violation' as "nats: authorization failed".
      expect(await refusal(roundTripIn(lang, rogue, 'metrics.rogue'))).toMatch(
        /authorization (violation|failed)/i,
      );
    },
  );
});

describe('mutual TLS with NKey and password users (examples/secure-cluster.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    const docs = loadExample('secure-cluster');
    // A password user beside the example's NKey user, so all three login kinds cross every client.
    const app = docs.users[0]!;
    docs.users.push({
      ...app,
      metadata: { ...app.metadata, name: 'app-password' },
      spec: { ...app.spec, authType: 'Password' },
    });
    local = await startExample(docs, 157);
  });

  test.each(LANGUAGES)('%s: the NKey user with its client certificate round-trips', async (lang) => {
    const app = appCredentials(local, 'app');
    expect(app.nkeySeed).toMatch(/^SU/);
    expect(app.cert).toBeDefined();
    for (let i = 0; i < 3; i++)
      expect(await timedRoundTrip(lang, app, `mtls.polyglot.${i}`)).toMatch(
        new RegExp(`^hello from ${escape(lang)}`),
      );
  });

  test.each(LANGUAGES)('%s: the password user with its client certificate round-trips', async (lang) => {
    const app = appCredentials(local, 'app-password');
    expect(app.password).toBeTruthy();
    expect(await roundTripIn(lang, app, 'mtls.polyglot.password')).toMatch(/^hello from/);
  });

  test.each(LANGUAGES)('%s: without the client certificate the TLS handshake is refused', async (lang) => {
    const { cert: _dropped, ...withoutCertificate } = appCredentials(local, 'app');
    const message = await refusal(roundTripIn(lang, withoutCertificate, 'mtls.polyglot.nocert'));
    expect(message).toMatch(
      /certificate required|ECONNRESET|closed|EOF|reset by peer|connection lost|broken pipe/i,
    );
    expect(message).not.toMatch(/authorization/i);
  });

  test.each(LANGUAGES)('%s: a wrong password is refused', async (lang) => {
    const app = { ...appCredentials(local, 'app-password'), password: 'not-the-password' };
    expect(await refusal(roundTripIn(lang, app, 'mtls.polyglot.wrong'))).toMatch(
      /authorization (violation|failed)/i,
    );
  });
});

describe('server verification is on in every client (examples/secure-cluster.yaml)', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startExample(loadExample('secure-cluster'), 158);
  });

  test.each(LANGUAGES)('%s: a CA that did not sign the server certificate is refused', async (lang) => {
    const otherCa = issue({
      secretName: 'other-ca',
      commonName: 'Some Other CA',
      isCA: true,
      usages: ['cert sign', 'digital signature'],
      issuerRef: { name: 'self' },
    });
    const app = { ...appCredentials(local, 'app'), ca: otherCa['tls.crt'] };
    expect(await refusal(roundTripIn(lang, app, 'verify.polyglot'))).toMatch(
      /unknown authority|unable to verify|self[- ]signed|certificate verify failed/i,
    );
  });

  // nats.go has no single-name mode: once the first server fails it tries the names the server
  // advertised, which the certificate holds (go-cli.ts), so the wrong name is proven for the other two.
  test.each(LANGUAGES.filter((l) => l !== 'go (nats CLI)'))(
    '%s: a server name the certificate does not hold is refused',
    async (lang) => {
      const app = { ...appCredentials(local, 'app'), servername: 'not-the-cluster.example.com' };
      expect(await refusal(roundTripIn(lang, app, 'verify.polyglot'))).toMatch(
        /altnames|hostname|doesn't match|not valid for|certificate verify failed/i,
      );
    },
  );
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
