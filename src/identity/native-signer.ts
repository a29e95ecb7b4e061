// Ed25519 signing for nkeys through node:crypto. @nats-io/nkeys signs with a pure-JavaScript
// Ed25519 and re-derives the key pair from the seed on every call (about 10 ms per signature on
// this project's machines); node:crypto signs in about 0.05 ms. The formats stay the official
// ones: seeds and public keys are nkeys' base32 encoding (prefix byte(s), payload, CRC-16), and the
// KeyPair interface is the one @nats-io/jwt and @nats-io/nkeys expect, so JWTs are encoded by
// @nats-io/jwt exactly as before. Byte compatibility is proven in native-signer.test.ts against
// @nats-io/nkeys itself.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { KeyPair } from '@nats-io/nkeys';

/** nkeys prefix bytes (first 5 bits of the first base32 character). */
export const NKEY_PREFIX = {
  Seed: 18 << 3,
  Private: 15 << 3,
  Operator: 14 << 3,
  Server: 13 << 3,
  Cluster: 2 << 3,
  Account: 0,
  User: 20 << 3,
} as const;
type Role = (typeof NKEY_PREFIX)['Operator' | 'Server' | 'Cluster' | 'Account' | 'User'];
const ROLES = new Set<number>([
  NKEY_PREFIX.Operator,
  NKEY_PREFIX.Server,
  NKEY_PREFIX.Cluster,
  NKEY_PREFIX.Account,
  NKEY_PREFIX.User,
]);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// DER of an Ed25519 PKCS#8 private key, before its 32-byte seed (RFC 8410).
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

function base32Encode(bytes: Uint8Array): string {
  // Characters collected in an array and joined once: a string grown one character at a time
  // was a tenth of the cost of a new user key.
  const out: string[] = [];
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out.push(ALPHABET[(value >>> (bits - 5)) & 31] as string);
      bits -= 5;
    }
  }
  if (bits > 0) out.push(ALPHABET[(value << (5 - bits)) & 31] as string);
  return out.join('');
}

function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) throw new Error('nkey: not base32');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** CRC-16/XMODEM by table, one lookup per byte. */
const CRC_TABLE = Uint16Array.from({ length: 256 }, (_, byte) => {
  let crc = byte << 8;
  for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  return crc;
});

/** CRC-16/XMODEM, the checksum nkeys appends (little-endian). */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >>> 8) ^ byte) & 0xff] as number);
  return crc;
}

/** The payload followed by its CRC-16, in base32. */
function withChecksum(payload: Uint8Array): string {
  const crc = crc16(payload);
  const full = new Uint8Array(payload.length + 2);
  full.set(payload);
  full[payload.length] = crc & 255;
  full[payload.length + 1] = crc >> 8;
  return base32Encode(full);
}

/** Prefix bytes then a raw key, in one array. */
const prefixed = (prefix: number[], raw: Uint8Array) => {
  const out = new Uint8Array(prefix.length + raw.length);
  out.set(prefix);
  out.set(raw, prefix.length);
  return out;
};

function checked(text: string): Uint8Array {
  const raw = base32Decode(text);
  const payload = raw.subarray(0, raw.length - 2);
  const crc = (raw[raw.length - 2] ?? 0) | ((raw[raw.length - 1] ?? 0) << 8);
  if (raw.length < 4 || crc16(payload) !== crc) throw new Error('nkey: checksum mismatch');
  return payload;
}

export function encodeSeed(role: Role, rawSeed: Uint8Array): string {
  if (rawSeed.length !== 32) throw new Error('nkey: a seed is 32 bytes');
  return withChecksum(prefixed([NKEY_PREFIX.Seed | (role >> 5), (role & 31) << 3], rawSeed));
}

export function decodeSeed(seed: string): { role: Role; rawSeed: Uint8Array } {
  const payload = checked(seed);
  const kind = (payload[0] ?? 0) & 248;
  const role = (((payload[0] ?? 0) & 7) << 5) | (((payload[1] ?? 0) & 248) >> 3);
  if (kind !== NKEY_PREFIX.Seed || !ROLES.has(role) || payload.length !== 34)
    throw new Error('nkey: not a seed');
  return { role: role as Role, rawSeed: payload.subarray(2) };
}

const encodePublic = (role: Role, raw: Uint8Array) => withChecksum(prefixed([role], raw));

interface KeyMaterial {
  role: Role;
  rawSeed: Uint8Array;
  rawPublic: Uint8Array;
  /** The encoded public key, kept: an account's key pair is made again for every user it signs. */
  publicKey: string;
  key: KeyObject;
}

// Importing a seed (PKCS#8 DER) costs about 90 µs; an account signs many users, so its key object
// is kept. A user's key signs nothing here (its seed is read back from its Secret to check it), so
// it is not: ten thousand users' seeds filled the cache in a cold start and pushed the accounts'
// out. Bounded, oldest first out; each caller still gets its own KeyPair (clear() is local).
const imported = new Map<string, KeyMaterial>();
const IMPORTED_MAX = 4096;

function importSeed(seed: string): KeyMaterial {
  const known = imported.get(seed);
  if (known) return known;
  const material = keyMaterial(seed);
  if (material.role === NKEY_PREFIX.User) return material;
  if (imported.size >= IMPORTED_MAX) imported.delete(imported.keys().next().value as string);
  imported.set(seed, material);
  return material;
}

/** Whether a seed's key object is kept (for tests). */
export const isKept = (seed: string): boolean => imported.has(seed);

function keyMaterial(seed: string): KeyMaterial {
  const { role, rawSeed } = decodeSeed(seed);
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, rawSeed]),
    format: 'der',
    type: 'pkcs8',
  });
  const rawPublic = publicOf(key);
  return { role, rawSeed, rawPublic, publicKey: encodePublic(role, rawPublic), key };
}

/**
 * The raw public key, from the JWK export (about 30 times cheaper than an SPKI export), in an array
 * of its own: a small Buffer is a view of Node's shared 8 KiB pool, and a kept key would keep it.
 */
const publicOf = (key: KeyObject) =>
  new Uint8Array(Buffer.from(key.export({ format: 'jwk' }).x as string, 'base64url'));

class NativeKeyPair implements KeyPair {
  private seed: Uint8Array | undefined;
  private readonly key: KeyObject;
  private readonly rawSeed: Uint8Array;
  private readonly rawPublic: Uint8Array;
  private readonly publicKey: string;

  constructor(seed: string, { rawSeed, rawPublic, publicKey, key }: KeyMaterial) {
    this.seed = new TextEncoder().encode(seed);
    this.rawSeed = rawSeed;
    this.key = key;
    this.rawPublic = rawPublic;
    this.publicKey = publicKey;
  }

  private live(): void {
    if (!this.seed) throw new Error('nkey: key pair was cleared');
  }
  getPublicKey(): string {
    this.live();
    return this.publicKey;
  }
  getPrivateKey(): Uint8Array {
    this.live();
    return new TextEncoder().encode(
      withChecksum(Uint8Array.from([NKEY_PREFIX.Private, ...this.rawSeed, ...this.rawPublic])),
    );
  }
  getSeed(): Uint8Array {
    this.live();
    return this.seed as Uint8Array;
  }
  sign(input: Uint8Array): Uint8Array {
    this.live();
    return sign(null, input, this.key);
  }
  verify(input: Uint8Array, signature: Uint8Array): boolean {
    this.live();
    return verify(null, input, createPublicKey(this.key), signature);
  }
  clear(): void {
    this.seed?.fill(0);
    this.seed = undefined;
  }
  seal(): Uint8Array {
    throw new Error('nkey: only curve keys seal');
  }
  open(): Uint8Array | null {
    throw new Error('nkey: only curve keys open');
  }
}

/** A KeyPair for an nkeys seed (`SO...`, `SA...`, `SU...`), signing through node:crypto. */
export const nativeKeyPair = (seed: string): KeyPair => new NativeKeyPair(seed, importSeed(seed));

function generate(role: Role) {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const rawSeed = Buffer.from(jwk.d as string, 'base64url');
  const rawPublic = Buffer.from(jwk.x as string, 'base64url');
  const publicKey = encodePublic(role, rawPublic);
  return {
    seed: encodeSeed(role, rawSeed),
    material: { role, rawSeed, rawPublic, publicKey, key: privateKey },
  };
}

/** A new key pair of a role, from OpenSSL's Ed25519 key generation (32 random bytes of seed). */
export function createNativeKeyPair(role: Role): KeyPair {
  const { seed, material } = generate(role);
  return new NativeKeyPair(seed, material);
}

/**
 * A new key's seed and public key only, for keys that sign nothing here (users): no KeyPair is
 * built, and nothing is cached for a key that is written once to its Secret.
 */
export function createNativeKey(role: Role): { seed: string; publicKey: string } {
  const { seed, material } = generate(role);
  return { seed, publicKey: material.publicKey };
}
