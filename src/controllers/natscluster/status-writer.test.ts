import { describe, expect, test } from '@jest/globals';
import type { Condition } from '../../api/index.ts';
import { announcement } from './status-writer.ts';

/** [type, status, reason] of a condition, or undefined for none. */
type Sketch = [string, 'True' | 'False', string] | undefined;
const condition = (c: Sketch): Condition | undefined =>
  c &&
  ({
    type: c[0],
    status: c[1],
    reason: c[2],
    message: '',
    lastTransitionTime: '2026-12-04T00:00:00Z',
  } as Condition);

describe('announcement', () => {
  test.each<[string, Sketch, Sketch, 'Warning' | 'Normal' | undefined]>([
    // A flip of Ready or Degraded is an Event, a Warning when it went bad.
    ['Ready', ['Ready', 'False', 'SecretPending'], ['Ready', 'True', 'CredentialsReady'], 'Normal'],
    ['Ready', ['Ready', 'True', 'Loaded'], ['Ready', 'False', 'Loading'], 'Warning'],
    ['Degraded', ['Degraded', 'False', 'AsExpected'], ['Degraded', 'True', 'NameClash'], 'Warning'],
    ['Degraded', ['Degraded', 'True', 'NameClash'], ['Degraded', 'False', 'AsExpected'], 'Normal'],
    // No change, or no condition, is no Event.
    ['Ready', ['Ready', 'False', 'A'], ['Ready', 'False', 'B'], undefined],
    ['Ready', undefined, undefined, undefined],
    // A first condition saying all is well, Ready at once, or that work is pending, is no news.
    ['Degraded', undefined, ['Degraded', 'False', 'AsExpected'], undefined],
    ['Ready', undefined, ['Ready', 'False', 'SecretPending'], undefined],
    ['Ready', undefined, ['Ready', 'False', 'KeyPending'], undefined],
    ['Ready', undefined, ['Ready', 'True', 'CredentialsReady'], undefined],
    // A first condition saying something is wrong is announced.
    ['Ready', undefined, ['Ready', 'False', 'SecretConflict'], 'Warning'],
    ['Degraded', undefined, ['Degraded', 'True', 'NameClash'], 'Warning'],
  ])('%s from %j to %j: %s', (type, before, after, expected) => {
    expect(announcement(type, condition(before), condition(after))).toBe(expected);
  });
});
