// Jest global setup of the e2e and local-cluster projects. With KUBECONFIG set, the specs run
// against that cluster (kind, or any other) and nothing is started. Otherwise the local control
// plane is started, or reused when `npm run cluster -- up` already runs one (then it is left
// running afterwards).
import { isUp, up } from './control-plane.ts';

export default async function globalSetup(): Promise<void> {
  if (process.env.KUBECONFIG && process.env.NATS_WARDEN_E2E_HARNESS !== '1') {
    process.stderr.write(`\ne2e: using the cluster in KUBECONFIG=${process.env.KUBECONFIG}\n`);
    return;
  }
  const reuse = isUp();
  const started = Date.now();
  process.env.KUBECONFIG = await up();
  process.env.NATS_WARDEN_E2E_HARNESS = '1';
  if (!reuse) process.env.NATS_WARDEN_E2E_STARTED = '1';
  process.stderr.write(
    `\ne2e: local control plane ${reuse ? 'reused' : `up in ${Math.round((Date.now() - started) / 1000)} s`}\n`,
  );
}
