// The local cluster's public entry point: the one module that the operator's e2e specs, the scripts
// (demo, nats) and the server tests import. Everything else in local-cluster/ is internal.
//   - the pinned tools built from the Go module proxy (toolPath, binDir, cacheRoot), nats-py in
//     a cached venv (natsPyPython), and the project's images as OCI archives (imageArchive)
//   - the cluster (control plane and three real nodes): up, down, status, isUp
//   - kubectl and the small client the specs use (k, getJson, apply, waitUntil, namespaces, pods)
//   - host processes that live and die with the cluster (the operator): startWithCluster; the
//     recorded state of the running cluster (its processes): readState
//   - a sandbox for host processes (sandboxSpawn): the server tests' nats-servers and clients
//   - the nodes' names (realNodeNames), for specs that place pods
//   - the Jest global setup and teardown that start and stop the cluster for a spec run
export {
  binDir,
  cacheRoot,
  imageArchive,
  natsPyPython,
  toolPath,
  toolSpecs,
  type ToolSpec,
} from './tools/tools.ts';
export type { BuiltImage, ImageName } from './tools/images.ts';
export { paths, repoRoot } from './paths.ts';
export { down, isUp, status, up } from './harness/control-plane.ts';
export { kubectl } from './harness/kubectl.ts';
export {
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  isReady,
  k,
  kubeconfig,
  onLocalCluster,
  podGet,
  pods,
  waitUntil,
} from './harness/k8s.ts';
export { freePort } from './harness/ports.ts';
export {
  readState,
  startWithCluster,
  stopWithCluster,
  type ClusterState,
  type Started,
} from './harness/processes.ts';
export { sandboxSpawn, type Mount, type SandboxSpec } from './harness/sandbox.ts';
export { realNodeNames } from './node/real-node.ts';
export type { Obj } from './types.ts';
export { default as globalSetup } from './harness/global-setup.ts';
export { default as globalTeardown } from './harness/global-teardown.ts';
