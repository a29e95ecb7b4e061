// Jest global setup of the e2e project: the local cluster's (it starts or reuses the local control
// plane unless KUBECONFIG names another cluster).
export { globalSetup as default } from '@nats-warden/local-cluster';
