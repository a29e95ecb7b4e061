import { describe, expect, test } from '@jest/globals';
import { RenderError } from '../../render/index.ts';
import { permanentFailure } from './permanent-failure.ts';

const api = (code: number, message: string) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });

describe('permanentFailure', () => {
  test('a render error is InvalidSpec with its message', () => {
    const error = new RenderError('NatsUser a', 'spec.certificate.commonName: clashes with NatsUser b');
    expect(permanentFailure(error)).toEqual({ reason: 'InvalidSpec', message: error.message });
  });

  test('422 and 403 are ApplyRejected, quoting the API server (which names the field)', () => {
    const invalid = api(422, 'StatefulSet.apps "x" is invalid: spec.template.metadata.labels: Invalid value');
    expect(permanentFailure(invalid, 'StatefulSet/x')).toEqual({
      reason: 'ApplyRejected',
      message:
        'StatefulSet/x was refused by the API server: StatefulSet.apps "x" is invalid: spec.template.metadata.labels: Invalid value',
    });
    expect(permanentFailure(api(403, 'secrets is forbidden'), 'Secret/x')?.reason).toBe('ApplyRejected');
  });

  test('conflicts, server errors and network failures are temporary', () => {
    for (const error of [
      api(409, 'conflict'),
      api(500, 'boom'),
      api(429, 'slow down'),
      new Error('ECONNRESET'),
    ])
      expect(permanentFailure(error)).toBeUndefined();
  });
});
