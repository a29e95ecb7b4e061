// JSON logs with pino. Secret-bearing fields are redacted by path as a second line of defence; the
// first is that no code logs Secret data, passwords, seeds or creds at all.
import { pino, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'data',
  'stringData',
  '*.data',
  '*.stringData',
  'password',
  '*.password',
  'seed',
  '*.seed',
  'creds',
  '*.creds',
  'token',
  '*.token',
];

export function createLogger(
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    { level, base: { component: 'nats-warden' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } },
    destination,
  );
}

export type { Logger };
