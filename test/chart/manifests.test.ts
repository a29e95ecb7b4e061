// manifests/install.yaml is the chart rendered with its defaults: this fails when the two drift
// (run `npm run -s gen:manifests`).
import { expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { INSTALL_YAML, installYaml } from '../../scripts/gen-manifests.ts';

test('manifests/install.yaml is what `npm run -s gen:manifests` generates from the chart', () => {
  expect(readFileSync(INSTALL_YAML, 'utf8')).toBe(installYaml());
});
