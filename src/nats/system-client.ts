// The operator's client for the NATS system account: pushes account JWTs to every server of a full
// resolver and asks each server what its own resolver store holds, one answer per server, so the
// NatsAccount controller can prove which servers hold the current JWT. The request subjects, reply
// formats and why each was chosen are in docs/nats-facts.md ("System account requests").
import {
  connect,
  credsAuthenticator,
  type ConnectionOptions,
  type Msg,
  type NatsConnection,
} from '@nats-io/transport-node';
import { encodeGeneric } from '@nats-io/jwt';
import type { KeyPair } from '@nats-io/nkeys';

export interface SystemConnectOptions {
  servers: string[];
  /** PEM bundle to trust. */
  ca: string;
  /** The system user's decorated creds file content. */
  creds: string;
  /** TLS server name to verify (servers are dialed by IP). */
  servername?: string;
  /** Client certificate, when the cluster verifies clients. */
  cert?: { cert: string; key: string };
  timeoutMs?: number;
}

/** One connection, no reconnects: a controller connects per reconcile and retries with its own backoff. */
export function connectSystem(o: SystemConnectOptions): Promise<NatsConnection> {
  const tls = {
    ca: o.ca,
    ...(o.servername ? { servername: o.servername } : {}),
    ...(o.cert ? { cert: o.cert.cert, key: o.cert.key } : {}),
  };
  const options: ConnectionOptions = {
    servers: o.servers,
    name: 'nats-warden',
    // servername is passed through to node:tls but is not in nats.js's TlsOptions type.
    tls: tls as ConnectionOptions['tls'],
    authenticator: credsAuthenticator(new TextEncoder().encode(o.creds)),
    reconnect: false,
    timeout: o.timeoutMs ?? 5_000,
  };
  return connect(options);
}

export interface ServerReply {
  server: string;
  serverId: string;
  ok: boolean;
  code?: number;
  message: string;
}

export interface HeldJwt {
  server: string;
  serverId: string;
  /** undefined: not proven held (the store does not hold the account, or see `uncertain`). */
  jwt?: string;
  /**
   * The store holds some JWT for the account, but servers hold different ones and this server's
   * could not be told apart (it has not loaded the account). Pushing again settles it.
   */
  uncertain?: true;
}

export interface Gather {
  /** How many servers to wait for. */
  servers: number;
  timeoutMs: number;
}

interface ServerInfo {
  name?: string;
  id?: string;
}

/** Every reply to one request, until `servers` replies arrived or `timeoutMs` passed. */
async function gather(nc: NatsConnection, subject: string, payload: string, o: Gather): Promise<Msg[]> {
  const replies: Msg[] = [];
  const iterator = await nc.requestMany(subject, payload, {
    strategy: 'count',
    maxMessages: o.servers,
    maxWait: o.timeoutMs,
  });
  for await (const m of iterator) replies.push(m);
  return replies;
}

const serverOf = (info: ServerInfo | undefined) => ({ server: info?.name ?? '', serverId: info?.id ?? '' });

/** A server's answer to a resolver update or delete request. */
function replyOf(m: Msg): ServerReply {
  const body = m.json<{
    server?: ServerInfo;
    data?: { code?: number; message?: string };
    error?: { code?: number; description?: string };
  }>();
  const code = body.data?.code ?? body.error?.code;
  return {
    ...serverOf(body.server),
    ok: body.data !== undefined && body.error === undefined,
    ...(code !== undefined ? { code } : {}),
    message: body.data?.message ?? body.error?.description ?? '',
  };
}

/** $SYS.REQ.CLAIMS.UPDATE: every full-resolver server stores the JWT and answers for itself. */
export async function pushAccountJwt(nc: NatsConnection, jwt: string, o: Gather): Promise<ServerReply[]> {
  return (await gather(nc, '$SYS.REQ.CLAIMS.UPDATE', jwt, o)).map(replyOf);
}

/**
 * $SYS.REQ.CLAIMS.DELETE: every full-resolver server with `allow_delete` removes the accounts' JWTs
 * from its store. The request is a generic JWT the operator signs for itself (subject = issuer, an
 * operator key the servers trust) listing the accounts (server/accounts.go handleDeleteRequest).
 */
export async function deleteAccountJwts(
  nc: NatsConnection,
  operator: KeyPair,
  accountPublicKeys: string[],
  o: Gather,
): Promise<ServerReply[]> {
  const request = await encodeGeneric('delete-accounts', operator, 'generic', {
    accounts: accountPublicKeys,
  });
  return (await gather(nc, '$SYS.REQ.CLAIMS.DELETE', request, o)).map(replyOf);
}

/**
 * What each server's resolver store holds for one account. Three requests, none of which makes a
 * server fetch the account from a peer (which would hide a missing JWT):
 * - $SYS.REQ.CLAIMS.LIST: each server, named, lists the accounts in its store;
 * - $SYS.REQ.ACCOUNT.<pub>.CLAIMS.LOOKUP: each server answers with its stored JWT (empty if none),
 *   but the answers do not say which server sent them;
 * - only when servers hold different JWTs, $SYS.REQ.SERVER.PING.ACCOUNTZ names the JWT a server
 *   has loaded, which the store's change callback keeps equal to the stored one.
 */
export async function accountJwtHeld(
  nc: NatsConnection,
  accountPublicKey: string,
  o: Gather,
): Promise<HeldJwt[]> {
  const listed = (await gather(nc, '$SYS.REQ.CLAIMS.LIST', '', o)).map((m) => {
    const body = m.json<{ server?: ServerInfo; data?: string[] }>();
    return { ...serverOf(body.server), holds: (body.data ?? []).includes(accountPublicKey) };
  });
  const lookups = await storedJwts(nc, accountPublicKey, o);
  const holders = listed.filter((s) => s.holds);
  const loaded = new Set(lookups).size > 1 ? await loadedJwts(nc, accountPublicKey, o) : new Map();
  // Attribute each stored JWT to the server that has it loaded, then what remains by elimination.
  const remaining = [...lookups];
  const attributed = new Map<string, string>();
  for (const s of holders) {
    const jwt = loaded.get(s.serverId);
    const at = jwt === undefined ? -1 : remaining.indexOf(jwt);
    if (at >= 0) {
      attributed.set(s.serverId, jwt);
      remaining.splice(at, 1);
    }
  }
  const onlyLeft = new Set(remaining).size === 1 ? remaining[0] : undefined;
  return listed.map(({ server, serverId, holds }) => {
    if (!holds) return { server, serverId };
    const jwt = attributed.get(serverId) ?? onlyLeft;
    return jwt === undefined ? { server, serverId, uncertain: true } : { server, serverId, jwt };
  });
}

/**
 * $SYS.REQ.ACCOUNT.<pub>.CLAIMS.LOOKUP: the JWT each server's store holds for the account, one per
 * server that holds one; the answers do not say which server sent them.
 */
export async function storedJwts(nc: NatsConnection, accountPublicKey: string, o: Gather): Promise<string[]> {
  return (await gather(nc, `$SYS.REQ.ACCOUNT.${accountPublicKey}.CLAIMS.LOOKUP`, '', o))
    .map((m) => m.string())
    .filter((jwt) => jwt !== '');
}

/** Server id -> the account JWT that server has loaded (servers that have not loaded it are absent). */
async function loadedJwts(nc: NatsConnection, accountPublicKey: string, o: Gather) {
  const replies = await gather(
    nc,
    '$SYS.REQ.SERVER.PING.ACCOUNTZ',
    JSON.stringify({ account: accountPublicKey }),
    o,
  );
  const loaded = new Map<string, string>();
  for (const m of replies) {
    const body = m.json<{ server?: ServerInfo; data?: { account_detail?: { jwt?: string } } }>();
    const jwt = body.data?.account_detail?.jwt;
    if (body.server?.id && jwt) loaded.set(body.server.id, jwt);
  }
  return loaded;
}

/** $SYS.REQ.SERVER.PING.STATSZ: every server answers with its name and id. */
export async function listServers(
  nc: NatsConnection,
  o: Gather,
): Promise<{ server: string; serverId: string }[]> {
  const replies = await gather(nc, '$SYS.REQ.SERVER.PING.STATSZ', '', o);
  return replies.map((m) => serverOf(m.json<{ server?: ServerInfo }>().server));
}
