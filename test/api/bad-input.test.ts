// Bad input gets a clear error naming the field, offline (what `nats-warden render` reports).
import { describe, expect, test } from '@jest/globals';
import { validateResource } from '../../src/api/index.ts';
import { BAD_CASES, GOOD_CASES } from './bad-input-cases.ts';

describe('invalid resources are rejected naming the field', () => {
  test.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = validateResource(c.doc);
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toContain(c.field);
    for (const e of result.ok ? [] : result.errors) expect(e.message.length).toBeGreaterThan(5);
  });
});

describe('valid resources pass', () => {
  test.each(GOOD_CASES.map((doc, i) => [i, doc] as const))('#%d', (_i, doc) => {
    const result = validateResource(doc);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });
});
