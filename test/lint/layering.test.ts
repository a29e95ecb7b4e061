// Proof that every layering contract in eslint.config.js bites: for each one, a deliberate
// violation (linted as if it were a file at the given path) is reported by the rule that guards
// it, and the allowed form next to it is not. The imports name real files, because the path rules
// resolve an import before they judge it.
import { describe, expect, it, jest } from '@jest/globals';
import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The first lint loads typescript-eslint and the resolver: about 2 s alone, more than Jest's default
// 5 s on a loaded two-core machine.
jest.setTimeout(30_000);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const eslint = new ESLint({ cwd: root });

/** Any module of a folder under src/ (not a test), as a path relative to `from`. */
function moduleOf(folder: string, from: string): string {
  const files = readdirSync(join(root, 'src', folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .sort();
  if (!files[0]) throw new Error(`no module in src/${folder}`);
  const path = relative(dirname(join(root, from)), join(root, 'src', folder, files[0]));
  return path.startsWith('.') ? path : `./${path}`;
}

/** The ids of the rules that report the code, linted as the file at `filePath`. */
async function rulesHit(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

const importsOnly = (rules: string[]) => rules.filter((r) => !r.startsWith('@typescript-eslint/no-unused'));

describe('layering lint rules', () => {
  describe('1. the pure layers do no I/O', () => {
    it('bans node:os', async () => {
      const code = "import { hostname } from 'node:os';\nexport const h = hostname();\n";
      expect(await rulesHit('src/render/probe.ts', code)).toContain(
        '@typescript-eslint/no-restricted-imports',
      );
    });
    it('bans subpaths of @kubernetes/client-node, even for types', async () => {
      const code =
        "import type { V1Pod } from '@kubernetes/client-node/dist/gen/models/V1Pod.js';\nexport type P = V1Pod;\n";
      expect(await rulesHit('src/api/probe.ts', code)).toContain('@typescript-eslint/no-restricted-imports');
    });
    it('bans an I/O layer', async () => {
      const code = `import * as k from '${moduleOf('k8s', 'src/status/probe.ts')}';\nexport const m = k;\n`;
      expect(await rulesHit('src/status/probe.ts', code)).toContain(
        '@typescript-eslint/no-restricted-imports',
      );
    });
  });

  describe('2. runtime, k8s and nats never import controllers or cli', () => {
    for (const [layer, upper] of [
      ['runtime', 'controllers'],
      ['k8s', 'controllers'],
      ['nats', 'cli'],
      ['runtime', 'cli'],
    ] as const) {
      it(`src/${layer} -> src/${upper}`, async () => {
        const file = `src/${layer}/probe.ts`;
        const code = `import * as m from '${moduleOf(upper, file)}';\nexport const x = m;\n`;
        expect(await rulesHit(file, code)).toContain('import-x/no-restricted-paths');
      });
    }
    it('allows the downward direction (controllers -> runtime)', async () => {
      const file = 'src/controllers/probe.ts';
      const code = `import * as m from '${moduleOf('runtime', file)}';\nexport const x = m;\n`;
      expect(importsOnly(await rulesHit(file, code))).toEqual([]);
    });
  });

  describe('3. only src/k8s imports @kubernetes/client-node values', () => {
    it('bans a value import elsewhere in src/', async () => {
      const code =
        "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = new KubeConfig();\n";
      expect(await rulesHit('src/controllers/probe.ts', code)).toContain(
        '@typescript-eslint/no-restricted-imports',
      );
    });
    it('bans a value import of a subpath', async () => {
      const code =
        "import { V1Pod } from '@kubernetes/client-node/dist/gen/models/V1Pod.js';\nexport const p = V1Pod;\n";
      expect(await rulesHit('src/runtime/probe.ts', code)).toContain(
        '@typescript-eslint/no-restricted-imports',
      );
    });
    it('allows type imports anywhere, and values in src/k8s', async () => {
      const types =
        "import type { KubernetesObject } from '@kubernetes/client-node';\nexport type O = KubernetesObject;\n";
      expect(importsOnly(await rulesHit('src/runtime/probe.ts', types))).toEqual([]);
      const values =
        "import { KubeConfig } from '@kubernetes/client-node';\nexport const k = new KubeConfig();\n";
      expect(importsOnly(await rulesHit('src/k8s/probe.ts', values))).toEqual([]);
    });
  });

  describe('4. src/ never imports e2e/, test/ or the local cluster', () => {
    for (const [what, specifier] of [
      ['test/', '../../test/fixtures/examples.ts'],
      ['e2e/', '../../e2e/operator/fixtures.ts'],
      ['the local cluster', '@nats-warden/local-cluster'],
    ] as const) {
      it(what, async () => {
        const code = `import * as m from '${specifier}';\nexport const x = m;\n`;
        expect(await rulesHit('src/controllers/probe.ts', code)).toContain('import-x/no-restricted-paths');
      });
    }
    it("src's tests reach the local cluster only through its entry point", async () => {
      const inside = "import * as m from '../../local-cluster/tools/tools.ts';\nexport const x = m;\n";
      expect(await rulesHit('src/nats/probe.test.ts', inside)).toContain('import-x/no-restricted-paths');
      const entry = "import { toolPath } from '@nats-warden/local-cluster';\nexport const x = toolPath;\n";
      expect(importsOnly(await rulesHit('src/nats/probe.test.ts', entry))).toEqual([]);
    });
  });

  describe('5. the local cluster never imports the operator, its specs or the tests', () => {
    for (const specifier of [
      '../../src/cli/main.ts',
      '../../e2e/operator/fixtures.ts',
      '../../test/fixtures/examples.ts',
    ]) {
      it(specifier, async () => {
        const code = `import * as m from '${specifier}';\nexport const x = m;\n`;
        expect(await rulesHit('local-cluster/harness/probe.ts', code)).toContain(
          'import-x/no-restricted-paths',
        );
      });
    }
  });

  it('5. inside the local cluster, a node never imports the harness', async () => {
    const code = "import { kubectl } from '../harness/kubectl.ts';\nexport const x = kubectl;\n";
    expect(await rulesHit('local-cluster/node/probe.ts', code)).toContain('import-x/no-restricted-paths');
  });

  describe('6. e2e/, scripts/ and test/ use the local cluster only through its entry point', () => {
    it('bans a relative import of an internal module', async () => {
      const code = "import { k } from '../local-cluster/harness/k8s.ts';\nexport const x = k;\n";
      expect(await rulesHit('e2e/probe.e2e.ts', code)).toContain('import-x/no-restricted-paths');
      expect(await rulesHit('scripts/probe.ts', code)).toContain('import-x/no-restricted-paths');
    });
    it('bans a subpath of the package', async () => {
      const code = "import { k } from '@nats-warden/local-cluster/harness/k8s.ts';\nexport const x = k;\n";
      expect(await rulesHit('test/servers/probe.test.ts', code)).toContain('no-restricted-imports');
    });
    it('allows the entry point', async () => {
      const code = "import { k } from '@nats-warden/local-cluster';\nexport const x = k;\n";
      expect(importsOnly(await rulesHit('e2e/probe.e2e.ts', code))).toEqual([]);
    });
  });

  describe('7. no import cycles', () => {
    it('reports a module that imports one of its importers', async () => {
      // local-cluster/harness/processes.ts imports local-cluster/paths.ts: make paths.ts import it back.
      const code = "import { readState } from './harness/processes.ts';\nexport const x = readState;\n";
      expect(await rulesHit('local-cluster/paths.ts', code)).toContain('import-x/no-cycle');
    });
  });
});
