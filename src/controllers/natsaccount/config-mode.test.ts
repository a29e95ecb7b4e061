// Config-mode readiness without a monitoring port: the account must be in the applied auth include
// and the cluster Ready; the message says that no server was asked.
import { describe, expect, test } from '@jest/globals';
import { loadExample } from '../../../test/fixtures/examples.ts';
import { configuredWithoutMonitoring } from './config-mode.ts';

const docs = loadExample('monitoring-off');
const account = docs.accounts[0]!;
const ready = { ...docs.clusters[0]!, status: { conditions: [{ type: 'Ready', status: 'True' }] } } as never;
const notReady = docs.clusters[0]!;
const authConf = 'accounts: {\n  telemetry: {\n    users: []\n  }\n}\n';

describe('configuredWithoutMonitoring', () => {
  test('in the applied auth include and the cluster Ready: Ready, saying no server was asked', () => {
    const outcome = configuredWithoutMonitoring(ready, account, authConf);
    expect(outcome).toMatchObject({ ready: true, reason: 'Configured' });
    expect(outcome.message).toContain('monitoring is off (NatsCluster dark spec.monitoring.enabled: false)');
  });

  test('not in the applied include yet (a name that only starts the same does not count): not Ready', () => {
    const other = 'accounts: {\n  telemetry2: {\n    users: []\n  }\n}\n';
    expect(configuredWithoutMonitoring(ready, account, other)).toMatchObject({
      ready: false,
      reason: 'Configuring',
    });
    expect(configuredWithoutMonitoring(ready, account, undefined).ready).toBe(false);
  });

  test('the cluster not Ready: not Ready', () => {
    expect(configuredWithoutMonitoring(notReady, account, authConf)).toMatchObject({ ready: false });
  });
});
