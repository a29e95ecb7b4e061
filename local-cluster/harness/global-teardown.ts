// Jest global teardown of the e2e and local-cluster projects: stops the local control plane if the
// global setup started it (a cluster started by hand with `npm run cluster -- up` is left running).
import { down } from './control-plane.ts';

export default async function globalTeardown(): Promise<void> {
  if (process.env.NATS_WARDEN_E2E_STARTED !== '1') return;
  await down();
  delete process.env.NATS_WARDEN_E2E_STARTED;
}
