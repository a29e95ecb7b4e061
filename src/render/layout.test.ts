import { describe, expect, test } from '@jest/globals';
import { posix } from 'node:path';
import { FILES, INCLUDES, PATHS } from './layout.ts';

describe('the in-pod layout', () => {
  test('include paths are relative to the config directory, as node:path makes them', () => {
    expect(INCLUDES).toEqual({
      auth: posix.join(posix.relative(PATHS.configDir, PATHS.authDir), FILES.authConf),
      routes: posix.join(posix.relative(PATHS.configDir, PATHS.routesAuthDir), FILES.routesConf),
      jetstream: posix.join(posix.relative(PATHS.configDir, PATHS.jetstreamKeyDir), FILES.jetstreamConf),
    });
    expect(INCLUDES.auth).toBe('../secrets/auth/auth.conf');
  });
});
