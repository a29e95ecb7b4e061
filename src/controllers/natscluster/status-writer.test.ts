import { describe, expect, test } from '@jest/globals';
import type { Condition } from '../../api/index.ts';
import { announcement } from './status-writer.ts';

const condition = (type: string, status: 'True' | 'False', reason: string): Condition =>
  ({ type, status, reason, message: '', lastTransitionTime: '2026-12-04T00:00:00Z' }) as Condition;

describe('announcement', () => {
  test('a flip of Ready or Degraded is an Event, a Warning when it went bad', () => {
    expect(
      announcement(
        'Ready',
        condition('Ready', 'False', 'SecretPending'),
        condition('Ready', 'True', 'CredentialsReady'),
      ),
    ).toBe('Normal');
    expect(
      announcement('Ready', condition('Ready', 'True', 'Loaded'), condition('Ready', 'False', 'Loading')),
    ).toBe('Warning');
    expect(
      announcement(
        'Degraded',
        condition('Degraded', 'False', 'AsExpected'),
        condition('Degraded', 'True', 'NameClash'),
      ),
    ).toBe('Warning');
    expect(
      announcement(
        'Degraded',
        condition('Degraded', 'True', 'NameClash'),
        condition('Degraded', 'False', 'AsExpected'),
      ),
    ).toBe('Normal');
  });

  test('no change, or no condition, is no Event', () => {
    expect(
      announcement('Ready', condition('Ready', 'False', 'A'), condition('Ready', 'False', 'B')),
    ).toBeUndefined();
    expect(announcement('Ready', undefined, undefined)).toBeUndefined();
  });

  test('a first condition saying all is well, or that work is pending, is no news', () => {
    expect(announcement('Degraded', undefined, condition('Degraded', 'False', 'AsExpected'))).toBeUndefined();
    expect(announcement('Ready', undefined, condition('Ready', 'False', 'SecretPending'))).toBeUndefined();
    expect(announcement('Ready', undefined, condition('Ready', 'False', 'KeyPending'))).toBeUndefined();
  });

  test('a first condition saying something is wrong, or that it is Ready, is announced', () => {
    expect(announcement('Ready', undefined, condition('Ready', 'False', 'SecretConflict'))).toBe('Warning');
    expect(announcement('Degraded', undefined, condition('Degraded', 'True', 'NameClash'))).toBe('Warning');
    expect(announcement('Ready', undefined, condition('Ready', 'True', 'CredentialsReady'))).toBe('Normal');
  });
});
