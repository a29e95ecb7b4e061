// The CLI writes its output straight to the file descriptor: every byte, in order, and what a full
// non-blocking descriptor refuses goes through the stream instead.
import { describe, expect, test } from '@jest/globals';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeAllSync } from './stdio.ts';

const noStream = () => {
  throw new Error('the stream was not to be used');
};

describe('writeAllSync', () => {
  test('writes every byte to the descriptor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nats-warden-stdio-'));
    try {
      const file = join(dir, 'out');
      const fd = openSync(file, 'w');
      const text = `kind: ConfigMap\n${'é-'.repeat(100_000)}\n`;
      writeAllSync(fd, text, noStream);
      closeSync(fd);
      expect(readFileSync(file, 'utf8')).toBe(text);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('keeps writing after a short write', () => {
    const written: string[] = [];
    const shortWrites = (_fd: number, bytes: Uint8Array, offset: number) => {
      const end = Math.min(offset + 3, bytes.length);
      written.push(Buffer.from(bytes.subarray(offset, end)).toString());
      return end - offset;
    };
    writeAllSync(1, 'abcdefgh', noStream, shortWrites);
    expect(written).toEqual(['abc', 'def', 'gh']);
  });

  test('from EAGAIN on, the rest goes through the stream, bytes intact', () => {
    const direct: Uint8Array[] = [];
    const streamed: Uint8Array[] = [];
    let calls = 0;
    const fullAfterOne = (_fd: number, bytes: Uint8Array, offset: number) => {
      if (calls++) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' });
      direct.push(bytes.subarray(offset, offset + 5));
      return 5;
    };
    writeAllSync(
      1,
      'naïve text',
      () => ({ write: (b: string | Uint8Array) => streamed.push(b as Uint8Array) }),
      fullAfterOne,
    );
    expect(Buffer.concat([...direct, ...streamed]).toString()).toBe('naïve text');
    expect(streamed).toHaveLength(1);
  });

  test('other errors are thrown', () => {
    const broken = () => {
      throw Object.assign(new Error('EPIPE'), { code: 'EPIPE' });
    };
    expect(() => writeAllSync(1, 'x', noStream, broken)).toThrow('EPIPE');
  });
});
