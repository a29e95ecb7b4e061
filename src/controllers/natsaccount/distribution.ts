// Which account JWT the servers should hold, decided from what they hold — no copy of the JWT is
// kept anywhere else. The current JWT is the newest one the servers hold whose claims match the
// spec; when none does, a new one is signed. Every server that holds something else (an older
// JWT, or nothing: restarted with an empty resolver directory, or away during the last push) is
// brought up to date by pushing the current one again. An expiring JWT stops being current at half
// its lifetime, so a new one is signed and pushed well before the servers would refuse it. Pure.
import { unverifiedClaims } from '../../identity/jwt.ts';
import type { HeldJwt } from '../../nats/system-client.ts';

interface AccountClaimsData {
  iat?: number;
  exp?: number;
  name?: string;
  sub?: string;
  iss?: string;
  nats?: unknown;
}

const decoded = (jwt: string) => unverifiedClaims<AccountClaimsData>(jwt);

/** Canonical JSON with sorted keys, so key order never makes equal claims differ. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** What a JWT says, without when it was signed or its id: two signings of one spec compare equal. */
export function claimsKey(jwt: string): string | undefined {
  const c = decoded(jwt);
  if (!c) return undefined;
  return canonical(essence(c));
}

/** The claims without iat and jti, activation tokens inside imports compared the same way. */
function essence(c: AccountClaimsData): unknown {
  const nats = c.nats as { imports?: { token?: string }[] } | undefined;
  const imports = nats?.imports?.map((i) => {
    const token = i.token ? decoded(i.token) : undefined;
    return token ? { ...i, token: essence(token) } : i;
  });
  return {
    name: c.name,
    sub: c.sub,
    iss: c.iss,
    // The lifetime, not the moment: two signings of one spec compare equal; a changed jwtExpiry does not.
    lifetime: c.exp ? c.exp - (c.iat ?? 0) : 'none',
    nats: imports ? { ...nats, imports } : nats,
  };
}

export const issuedAt = (jwt: string): number => decoded(jwt)?.iat ?? 0;
/** Unix seconds, or undefined when the JWT does not expire. */
export const expiresAt = (jwt: string): number | undefined => decoded(jwt)?.exp;

/** An expiring JWT past half its lifetime is no longer current: a new one is signed and pushed. */
export function halfExpired(jwt: string, nowSeconds: number): boolean {
  const c = decoded(jwt);
  if (!c?.exp) return false;
  const iat = c.iat ?? 0;
  return nowSeconds >= iat + (c.exp - iat) / 2;
}

export interface DistributionPlan {
  /** The JWT every server should hold; undefined: sign a new one (no server holds the spec). */
  current?: string;
  /** Servers that answered and hold the current JWT. */
  holding: string[];
  /** Servers that answered and hold something else or nothing. */
  behind: string[];
}

/**
 * @param wantedKey claimsKey of a JWT signed from the spec now
 * @param held one entry per server that answered
 */
export function planDistribution(
  wantedKey: string,
  held: HeldJwt[],
  nowSeconds = Date.now() / 1000,
): DistributionPlan {
  const matching = held
    .map((h) => h.jwt)
    .filter((jwt): jwt is string => !!jwt && claimsKey(jwt) === wantedKey && !halfExpired(jwt, nowSeconds))
    .sort((a, b) => issuedAt(b) - issuedAt(a));
  const current = matching[0];
  const holding = held.filter((h) => current !== undefined && h.jwt === current).map((h) => h.server);
  const behind = held.filter((h) => current === undefined || h.jwt !== current).map((h) => h.server);
  return { ...(current ? { current } : {}), holding, behind };
}

/**
 * The plan from the stored JWTs alone (the anonymous answers to one LOOKUP), when they settle it:
 * every server answered with one JWT that is current, or no server holds the spec (sign and push
 * a new one). Otherwise undefined: which server holds what must be asked (accountJwtHeld). This
 * spares the request that names each server's holdings, $SYS.REQ.CLAIMS.LIST, which reads every
 * JWT file of a server's store: asked for each of 1,000 accounts, it kept the servers busy.
 * @param servers the names of the servers asked (their pods), one answer expected from each
 */
export function planFromStored(
  wantedKey: string,
  stored: string[],
  servers: string[],
  nowSeconds = Date.now() / 1000,
): DistributionPlan | undefined {
  const current = (jwt: string) => claimsKey(jwt) === wantedKey && !halfExpired(jwt, nowSeconds);
  if (!stored.some(current)) return { holding: [], behind: [...servers] };
  const everyServer = stored.length === servers.length && new Set(stored).size === 1;
  if (everyServer && current(stored[0]!)) return { current: stored[0]!, holding: [...servers], behind: [] };
  return undefined;
}
