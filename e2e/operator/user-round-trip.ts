// A NATS round trip as an application would make it, on a cluster whose servers run on real nodes:
// wait for the NatsUser, read its credentials Secret and client certificate, and publish/receive
// through every ready address of the client Service, allowing the servers the time a real kubelet
// takes to deliver the changed auth Secret (see roundTripAs).
import { expect } from '@jest/globals';
import { getJson, k, waitUntil, type Obj } from '@nats-warden/local-cluster';
import { secretData, serviceAddresses, type Api } from './cluster-api.ts';
import { connectWith, roundTrip, type Credentials } from './nats-client.ts';
import { clusterPods } from './servers.ts';

/** Waits for a NatsUser's Ready condition (its credentials are complete and applied). */
export const userReady = (namespace: string, name: string) =>
  waitUntil(
    `NatsUser ${name} Ready`,
    async () => {
      const user = await getJson(['get', 'natsuser', name, '-n', namespace]);
      return user.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True');
    },
    120_000,
    1_000,
  );

/**
 * A TLS round trip as `user` through every ready address of the cluster's client Service. NatsUser Ready
 * means its credentials Secret is complete, not that every server has loaded the user: on a real
 * kubelet the changed auth Secret reaches the pods seconds later (its sync period), and until the
 * reloader's SIGHUP a server refuses the user: the server logs `authentication error`, and nats.js
 * says `Authorization Violation`, EPIPE (still writing as the server closes) or `connection refused`
 * (its only server dropped with no error kept: @nats-io/nats-core protocol.js), by timing. Those are
 * retried for at most USER_LOAD_MS, and the lag is returned; any other failure names the address,
 * its pod and the end of that server's log.
 */
export async function roundTripAs(
  api: Api,
  namespace: string,
  cluster: string,
  user: string,
): Promise<number> {
  await userReady(namespace, user);
  const ready = Date.now();
  const credentials = (await secretData(
    api,
    namespace,
    `${user}-nats-credentials`,
  )) as unknown as Credentials;
  const certificate = await secretData(api, namespace, `${user}-nats-client-tls`);
  const addresses = await waitUntil(
    'the client Service to list three ready addresses',
    async () => {
      const found = await serviceAddresses(api, namespace, cluster);
      return found.length === 3 && found;
    },
    60_000,
  );
  for (const address of addresses) {
    for (;;) {
      try {
        const nc = await connectWith(
          address,
          credentials,
          certificate as never,
          `${cluster}.${namespace}.svc`,
        );
        expect(await roundTrip(nc)).toMatch(/hello through TLS/);
        await nc.close();
        break;
      } catch (error) {
        const message = (error as Error).message;
        if (
          /Authorization Violation|EPIPE|connection refused/.test(message) &&
          Date.now() - ready < USER_LOAD_MS
        ) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          continue;
        }
        const pod = (await clusterPods(namespace, cluster)).find((p) => p.ip === address);
        const log = pod
          ? await k(['logs', pod.name, '-n', namespace, '-c', 'nats', '--tail=15']).catch(
              (e: Error) => e.message,
            )
          : '(no pod has this address)';
        throw new Error(`round trip as ${user} to ${address} (${pod?.name}): ${message}\n${log}`, {
          cause: error,
        });
      }
    }
  }
  return Date.now() - ready;
}

/**
 * How long a server may take to load a Ready user: the real kubelet's Secret sync (syncFrequency
 * 10 s, 2-18 s measured at load 5) plus the reloader. At load ~10 one run took over 40 s; the lag is
 * the product's (NatsUser Ready does not wait for the servers), printed as a figure every run.
 */
const USER_LOAD_MS = 90_000;
