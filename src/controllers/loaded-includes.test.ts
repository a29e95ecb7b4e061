import { describe, expect, test } from '@jest/globals';
import { LOAD_MARKER_PREFIX } from '../render/index.ts';
import { LoadedIncludes } from './loaded-includes.ts';

const M = (id: string) => `${LOAD_MARKER_PREFIX}${id}`;
const entries = (pairs: Record<string, string>) => new Map(Object.entries(pairs));
const users = (pairs: Record<string, string>) => ({
  users: entries(pairs),
  accounts: new Map<string, string>(),
});

describe('LoadedIncludes', () => {
  test('a user is loaded on the servers whose marker names an include holding its current entry', () => {
    const includes = new LoadedIncludes();
    includes.remember('c', M('1'), users({ alice: 'a1' }));
    includes.remember('c', M('2'), users({ alice: 'a1', bob: 'b1' }));
    const loads = includes.loads('c', 'users', entries({ alice: 'a1', bob: 'b1' }), [
      ['orders', M('1'), '$G'],
      ['orders', M('2'), '$G'],
      undefined,
    ]);
    // alice's entry is the same in both includes; bob is only in the newer one; one server is silent.
    expect(loads.get('alice')).toEqual({ loaded: 2, answered: 2 });
    expect(loads.get('bob')).toEqual({ loaded: 1, answered: 2 });
  });

  test('a changed entry (a new password hash) is loaded only where the include with the new entry is', () => {
    const includes = new LoadedIncludes();
    includes.remember('c', M('1'), users({ alice: 'a1' }));
    includes.remember('c', M('2'), users({ alice: 'a2' }));
    const loads = includes.loads('c', 'users', entries({ alice: 'a2' }), [[M('1')], [M('2')], [M('2')]]);
    expect(loads.get('alice')).toEqual({ loaded: 2, answered: 3 });
  });

  test('an unknown marker, no marker, or two markers count as not loaded; clusters are apart', () => {
    const includes = new LoadedIncludes();
    includes.remember('c', M('1'), users({ alice: 'a1' }));
    includes.remember('other', M('9'), users({ alice: 'a1' }));
    const loads = includes.loads('c', 'users', entries({ alice: 'a1' }), [
      [M('9')],
      ['orders'],
      [M('1'), M('x')],
    ]);
    expect(loads.get('alice')).toEqual({ loaded: 0, answered: 3 });
  });

  test('only the newest includes are remembered, and a cluster can be forgotten', () => {
    const includes = new LoadedIncludes();
    for (let i = 0; i < 20; i++) includes.remember('c', M(String(i)), users({ alice: 'a' }));
    expect(
      includes.loads('c', 'users', entries({ alice: 'a' }), [[M('0')], [M('19')]]).get('alice')?.loaded,
    ).toBe(1);
    // Remembering an old include again makes it the newest, not a duplicate.
    includes.remember('c', M('12'), users({ alice: 'a' }));
    expect(includes.loads('c', 'users', entries({ alice: 'a' }), [[M('12')]]).get('alice')?.loaded).toBe(1);
    includes.forget('c');
    expect(includes.loads('c', 'users', entries({ alice: 'a' }), [[M('19')]]).get('alice')?.loaded).toBe(0);
  });

  test('accounts and users are looked up apart', () => {
    const includes = new LoadedIncludes();
    includes.remember('c', M('1'), { users: entries({ x: 'u' }), accounts: entries({ x: 'a' }) });
    expect(includes.loads('c', 'accounts', entries({ x: 'a' }), [[M('1')]]).get('x')?.loaded).toBe(1);
    expect(includes.loads('c', 'users', entries({ x: 'a' }), [[M('1')]]).get('x')?.loaded).toBe(0);
  });
});
