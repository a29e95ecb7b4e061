// Jest runs in native ESM mode (client-node is ESM-only); swc strips the TypeScript types.
// Four projects: `unit` (pure logic and single real processes, fast), `servers` (rendered clusters on
// real nats-servers), `e2e` (the operator's specs on the local cluster, or any KUBECONFIG) and
// `local-cluster` (the specs that prove the local cluster itself behaves like Kubernetes).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' } }],
};
const common = { extensionsToTreatAsEsm: ['.ts'], transform, testEnvironment: 'node' };

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      // The local cluster's own unit tests (local-cluster/tools) run here too; its specs need a cluster.
      roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/local-cluster'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/servers/', '<rootDir>/local-cluster/specs/'],
    },
    // Real nats-servers with the rendered configuration, real certificates and real clients; no Kubernetes.
    { ...common, displayName: 'servers', roots: ['<rootDir>/test/servers'], testMatch: ['**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/e2e'],
      testMatch: ['**/*.e2e.ts'],
      // Starts the local control plane (the local-cluster package) unless KUBECONFIG names a cluster to use.
      globalSetup: '<rootDir>/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/global-teardown.ts',
      slowTestThreshold: 120,
    },
    {
      ...common,
      displayName: 'local-cluster',
      roots: ['<rootDir>/local-cluster/specs'],
      testMatch: ['**/*.e2e.ts', '**/*.test.ts'],
      globalSetup: '<rootDir>/local-cluster/harness/global-setup.ts',
      globalTeardown: '<rootDir>/local-cluster/harness/global-teardown.ts',
      slowTestThreshold: 120,
    },
  ],
};
