// Lint: typescript-eslint's recommended rules plus the layering of ARCHITECTURE.md, one written
// contract per boundary (test/lint/layering.test.ts proves each one fails on a violation):
//   1. the pure layers (api, render, status, identity) never import an I/O layer or an I/O library;
//   2. runtime, k8s and nats never import controllers or cli;
//   3. only src/k8s imports @kubernetes/client-node values (its types may be imported anywhere);
//   4. src/ never imports e2e/, test/ or the local cluster (src's own tests may use test fixtures
//      and the local cluster's entry point, for a tool's path);
//   5. the local cluster (local-cluster/) never imports the operator (src/), its specs (e2e/), the
//      tests or the scripts; inside it, tools <- kubelet <- harness, never the other way;
//   6. e2e/, scripts/ and test/ import the local cluster only through its entry point
//      (local-cluster/index.ts, the package @nats-warden/local-cluster);
//   7. no import cycles.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const pureLayers = ['api', 'render', 'status', 'identity'];
const ioLayers = ['k8s', 'runtime', 'nats', 'controllers', 'cli', 'reloader'];
const ioPackages = [
  '@kubernetes/client-node',
  '@nats-io/transport-node',
  'node:fs',
  'node:fs/promises',
  'fs',
  'node:os',
  'os',
  'node:child_process',
  'node:net',
  'node:http',
  'node:https',
  'pino',
  'prom-client',
];
const clientNode = '@kubernetes/client-node';
const entryOnly = {
  group: ['@nats-warden/local-cluster/*'],
  message: 'Import the local cluster only through its entry point, @nats-warden/local-cluster.',
};

// Rules 1 and 3 share one rule (a later config block replaces a rule's options, never merges them).
const clientNodeValues = (extraPatterns = []) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: [
        {
          name: clientNode,
          allowTypeImports: true,
          message:
            'Only src/k8s imports @kubernetes/client-node values; import its types with `import type`.',
        },
      ],
      patterns: [
        {
          group: [`${clientNode}/*`],
          allowTypeImports: true,
          message:
            'Only src/k8s imports @kubernetes/client-node values; import its types with `import type`.',
        },
        ...extraPatterns,
      ],
    },
  ],
});

const pureLayerRule = {
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      paths: ioPackages.map((name) => ({
        name,
        message: 'Pure layers (api, render, status, identity) do no I/O.',
      })),
      patterns: [
        {
          group: [`${clientNode}/*`],
          message: 'Pure layers (api, render, status, identity) do no I/O.',
        },
        {
          group: ioLayers.flatMap((layer) => [`**/${layer}/*`, `../${layer}`, `../../${layer}`]),
          message: 'Pure layers (api, render, status, identity) never import an I/O layer.',
        },
      ],
    },
  ],
};

const zone = (target, from, message, except) => ({ target, from, message, ...(except ? { except } : {}) });
const notTheOperator = ['./e2e', './test', './local-cluster', './scripts'].map((from) =>
  zone('./src', from, `src/ never imports ${from.slice(2)}/ (the operator ships without it).`),
);
const operatorLayerRules = {
  'import-x/no-restricted-paths': [
    'error',
    {
      zones: [
        ...['runtime', 'k8s', 'nats'].flatMap((layer) =>
          ['controllers', 'cli'].map((upper) =>
            zone(
              `./src/${layer}`,
              `./src/${upper}`,
              `src/${layer} never imports src/${upper} (data flows one way).`,
            ),
          ),
        ),
        ...notTheOperator,
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.cluster/', 'coverage/', '.scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      // no-cycle follows an import only into files it can parse: ours are TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // 7. No import cycles between modules (type-only imports are not edges); rules 2, 5 and 6 keep
      // the folders pointing one way.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // bin/ is CommonJS (bin/package.json): the package's command starts faster that way; so is a
    // .cjs file that a benchmark preloads into the processes it measures (node -r).
    files: ['bin/**/*.js', 'scripts/**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests poke into rendered objects whose shapes are Kubernetes', not ours.
    files: ['**/*.test.ts', '**/*.e2e.ts', 'test/**/*.ts', 'e2e/**/*.ts', 'local-cluster/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // 3. client-node values only in src/k8s.
  { files: ['src/**/*.ts'], ignores: ['src/k8s/**'], rules: clientNodeValues() },
  // 1. The pure layers.
  {
    files: pureLayers.map((layer) => `src/${layer}/**/*.ts`),
    ignores: ['**/*.test.ts'],
    rules: pureLayerRule,
  },
  // 2 and 4. The operator's layers, and src/ apart from everything that is not the operator.
  { files: ['src/**/*.ts'], ignores: ['**/*.test.ts'], rules: operatorLayerRules },
  {
    // 4 for src's own tests: test fixtures are fine, the e2e suite is not, the local cluster only
    // through its entry point.
    files: ['src/**/*.test.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            zone('./src', './e2e', 'src/ never imports e2e/.'),
            zone('./src', './local-cluster', 'Import the local cluster only through its entry point.', [
              './index.ts',
            ]),
          ],
        },
      ],
      ...clientNodeValues([entryOnly]),
    },
  },
  {
    // 5. The local cluster stands alone.
    files: ['local-cluster/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...['./src', './e2e', './test', './scripts'].map((from) =>
              zone(
                './local-cluster',
                from,
                `The local cluster never imports ${from.slice(2)}/ (it hosts the operator, it does not know it).`,
              ),
            ),
            // Inside it, one way too: the harness starts the nodes, both run the tools.
            zone(
              './local-cluster/node',
              './local-cluster/harness',
              'A node never imports the harness (which starts it).',
            ),
            zone('./local-cluster/tools', './local-cluster/harness', 'The tool build stands alone.'),
            zone('./local-cluster/tools', './local-cluster/node', 'The tool build stands alone.'),
          ],
        },
      ],
    },
  },
  {
    // 6. Everything else reaches the local cluster through its entry point only.
    files: ['e2e/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: ['./e2e', './scripts', './test'].map((target) =>
            zone(
              target,
              './local-cluster',
              'Import the local cluster only through its entry point, @nats-warden/local-cluster.',
              ['./index.ts'],
            ),
          ),
        },
      ],
      'no-restricted-imports': ['error', { patterns: [entryOnly] }],
    },
  },
);
