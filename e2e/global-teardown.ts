// Jest global teardown of the e2e project: the local cluster's (it stops the control plane only if
// the global setup started it).
export { globalTeardown as default } from '@nats-warden/local-cluster';
