// One small API over three real NATS clients — nats.js, the nats CLI (Go, nats.go) and nats-py —
// so a spec can prove that the credentials Secret the operator hands an application works from each
// of them: the same AppCredentials, the same round trip, the client's own error text on refusal.
import type { AppCredentials } from './polyglot/credentials.ts';
import { publishGo, roundTripGo } from './polyglot/go-cli.ts';
import { publishJs, roundTripJs } from './polyglot/nats-js.ts';
import { publishPython, roundTripPython } from './polyglot/python.ts';

export type { AppCredentials } from './polyglot/credentials.ts';
export type ClientLanguage = 'nats.js' | 'go (nats CLI)' | 'python (nats-py)';
export const LANGUAGES: ClientLanguage[] = ['nats.js', 'go (nats CLI)', 'python (nats-py)'];

type RoundTrip = (c: AppCredentials, subject: string, payload: string) => Promise<string>;
type Publish = (c: AppCredentials, subject: string, payload: string) => Promise<void>;

const clients: Record<ClientLanguage, { roundTrip: RoundTrip; publish: Publish }> = {
  'nats.js': { roundTrip: roundTripJs, publish: publishJs },
  'go (nats CLI)': { roundTrip: roundTripGo, publish: publishGo },
  'python (nats-py)': { roundTrip: roundTripPython, publish: publishPython },
};

/**
 * Subscribes, publishes one message on `subject`, returns the payload received. Throws with the
 * client's own error text (e.g. 'Authorization Violation', 'Permissions Violation') on failure.
 */
export function roundTripIn(lang: ClientLanguage, c: AppCredentials, subject: string): Promise<string> {
  return clients[lang].roundTrip(c, subject, `hello from ${lang} at ${Date.now()}`);
}

/** Publish only (for cross-account tests where another client subscribes). */
export function publishIn(
  lang: ClientLanguage,
  c: AppCredentials,
  subject: string,
  payload: string,
): Promise<void> {
  return clients[lang].publish(c, subject, payload);
}
