// Logs are JSON and never carry a secret value, even when a caller passes a Secret-shaped object.
import { describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _e, done) => (lines.push(String(chunk)), done()) });
  return { lines, log: createLogger('info', stream) };
}

describe('createLogger', () => {
  test('writes one JSON object per line with the component', () => {
    const { lines, log } = capture();
    log.info({ cluster: 'demo/secure' }, 'reconciled');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      component: 'nats-warden',
      cluster: 'demo/secure',
      msg: 'reconciled',
    });
  });

  test('redacts Secret data, passwords, seeds, creds and tokens wherever they appear', () => {
    const { lines, log } = capture();
    const secret = { metadata: { name: 'x' }, data: { password: 'cGFzcw==' }, stringData: { k: 'v' } };
    log.warn(
      { object: secret, password: 'hunter2', user: { seed: 'SUAAA', creds: 'JWT', token: 't0k' } },
      'oops',
    );
    const text = lines.join('');
    for (const value of ['cGFzcw==', 'hunter2', 'SUAAA', 'JWT', 't0k', '"v"'])
      expect(text).not.toContain(value);
    expect(text).toContain('[redacted]');
  });
});
