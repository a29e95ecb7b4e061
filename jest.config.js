// Jest runs in native ESM mode (client-node is ESM-only); swc strips the TypeScript types.
// Three projects: `unit` (pure logic and single real processes, fast), `servers` (rendered clusters on
// real nats-servers) and `e2e` (the local control plane).
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2024' } }] };
const common = { extensionsToTreatAsEsm: ['.ts'], transform, testEnvironment: 'node' };

export default {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/servers/'],
    },
    // Real nats-servers with the rendered configuration, real certificates and real clients; no Kubernetes.
    { ...common, displayName: 'servers', roots: ['<rootDir>/test/servers'], testMatch: ['**/*.test.ts'] },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/e2e'],
      testMatch: ['**/*.e2e.ts'],
      // Starts the local control plane (e2e/harness) unless KUBECONFIG names a cluster to use.
      globalSetup: '<rootDir>/e2e/harness/global-setup.ts',
      globalTeardown: '<rootDir>/e2e/harness/global-teardown.ts',
      slowTestThreshold: 120,
    },
  ],
};
