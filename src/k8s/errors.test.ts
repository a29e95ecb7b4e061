import { describe, expect, test } from '@jest/globals';
import { apiMessage, classify, isPermanent } from './errors.ts';

const apiError = (code: number, message: string) =>
  Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify({ kind: 'Status', message }) });

describe('API errors', () => {
  test.each([
    [422, 'Invalid', true],
    [400, 'Invalid', true],
    [403, 'Forbidden', true],
    [401, 'Forbidden', true],
    [404, 'NotFound', false],
    [409, 'Conflict', false],
    [500, 'Temporary', false],
    [503, 'Temporary', false],
    [429, 'Temporary', false],
  ] as const)('HTTP %i is %s (permanent: %s)', (code, kind, permanent) => {
    const error = apiError(code, 'x');
    expect(classify(error)).toBe(kind);
    expect(isPermanent(error)).toBe(permanent);
  });

  test('a network failure is temporary', () => {
    expect(isPermanent(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      false,
    );
  });

  test("the API server's message names the field", () => {
    const message =
      'StatefulSet.apps "x" is invalid: spec.template.metadata.labels: Invalid value: "not ok!": a valid label must be ...';
    expect(apiMessage(apiError(422, message))).toBe(message);
  });
});
