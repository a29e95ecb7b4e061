import { describe, expect, test } from '@jest/globals';
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { listAllPages } from './informers.ts';

// Pure paging logic: the real API server's paging is exercised by every cache the operator starts.
const object = (name: string): KubernetesObject => ({ metadata: { name } });

describe('listAllPages', () => {
  test.each([
    ['a typed list (V1SecretList): _continue', (token: string) => ({ _continue: token })],
    ['a custom resource list: continue', (token: string) => ({ continue: token })],
  ])('follows %s to the last page, and keeps the last page resourceVersion', async (_, meta) => {
    const pages: Record<string, KubernetesListObject<KubernetesObject>> = {
      first: {
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '7', ...meta('p2') },
        items: [object('a'), object('b')],
      },
      p2: {
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '7', ...meta('p3') },
        items: [object('c')],
      },
      p3: { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '7' }, items: [object('d')] },
    };
    const asked: (string | undefined)[] = [];
    const all = await listAllPages(async (limit, token) => {
      expect(limit).toBe(500);
      asked.push(token);
      return pages[token ?? 'first']!;
    });
    expect(asked).toEqual([undefined, 'p2', 'p3']);
    expect(all.items.map((o) => o.metadata?.name)).toEqual(['a', 'b', 'c', 'd']);
    expect(all.metadata?.resourceVersion).toBe('7');
  });
});
