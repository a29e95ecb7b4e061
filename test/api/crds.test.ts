// crds/ and the chart's crds/ are generated from src/api: this fails when either drifts (run
// `npm run gen:crds`).
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS } from '../../src/api/crd.ts';
import { CRD_DIRS, crdFileName, crdText } from '../../scripts/gen-crds.ts';

describe.each(KINDS.map((k) => [k.kind, k] as const))('the %s CRD', (_kind, info) => {
  const text = crdText(info);

  test.each(CRD_DIRS)('in %s/ is what the schema generates', (dir) => {
    expect(readFileSync(join(import.meta.dirname, '..', '..', dir, crdFileName(info.plural)), 'utf8')).toBe(
      text,
    );
  });

  test('is structural: no anyOf, const or patternProperties, which CRDs reject', () => {
    expect(text).not.toMatch(/\b(anyOf|const|patternProperties|\$id):/);
  });

  test('has the status subresource, short names and the nats-warden category', () => {
    expect(text).toContain('status: {}');
    expect(text).toContain('- nats-warden');
    expect(info.shortNames.length).toBeGreaterThan(0);
  });
});
