import { describe, expect, test } from '@jest/globals';
import { decode as decodeJwt, encodeUser } from '@nats-io/jwt';
import { createAccount, createOperator, createUser, fromPublic, fromSeed } from '@nats-io/nkeys';
import {
  createNativeKeyPair,
  crc16,
  decodeSeed,
  isKept,
  NKEY_PREFIX,
  nativeKeyPair,
} from './native-signer.ts';

const text = new TextDecoder();
const bytes = (s: string) => new TextEncoder().encode(s);

describe('native nkeys signer', () => {
  test.each([
    ['operator', createOperator],
    ['account', createAccount],
    ['user', createUser],
  ])('a %s seed gives the same public and private key as @nats-io/nkeys', (_role, create) => {
    for (let i = 0; i < 5; i++) {
      const official = create();
      const native = nativeKeyPair(text.decode(official.getSeed()));
      expect(native.getPublicKey()).toBe(official.getPublicKey());
      expect(text.decode(native.getPrivateKey())).toBe(text.decode(official.getPrivateKey()));
      expect(text.decode(native.getSeed())).toBe(text.decode(official.getSeed()));
    }
  });

  test('signatures are byte-identical to nkeys and verify both ways', () => {
    const official = createAccount();
    const native = nativeKeyPair(text.decode(official.getSeed()));
    const message = bytes('claims to sign');
    const signature = native.sign(message);
    expect(Buffer.from(signature).equals(Buffer.from(official.sign(message)))).toBe(true); // Ed25519 is deterministic
    expect(fromPublic(native.getPublicKey()).verify(message, signature)).toBe(true);
    expect(native.verify(message, official.sign(message))).toBe(true);
    expect(native.verify(bytes('something else'), signature)).toBe(false);
  });

  test("an account's key object is kept for the users it signs; a user's is not", () => {
    const account = text.decode(createAccount().getSeed());
    const user = text.decode(createUser().getSeed());
    const first = nativeKeyPair(account);
    expect(isKept(account)).toBe(true);
    expect(nativeKeyPair(account).getPublicKey()).toBe(first.getPublicKey());
    const native = nativeKeyPair(user);
    expect(isKept(user)).toBe(false);
    expect(native.getPublicKey()).toBe(fromSeed(bytes(user)).getPublicKey());
  });

  test('new native keys are valid nkeys of their role', () => {
    const user = createNativeKeyPair(NKEY_PREFIX.User);
    expect(user.getPublicKey()).toMatch(/^U[A-Z2-7]{55}$/);
    expect(text.decode(user.getSeed())).toMatch(/^SU[A-Z2-7]{56}$/);
    expect(fromSeed(user.getSeed()).getPublicKey()).toBe(user.getPublicKey());
  });

  test('a JWT signed natively decodes and verifies with @nats-io/jwt, as with the official key pair', async () => {
    const account = createAccount();
    const user = createUser();
    const native = await encodeUser(
      'app',
      user,
      nativeKeyPair(text.decode(account.getSeed())),
      {},
      { exp: 0 },
    );
    const decoded = await decodeJwt(native);
    expect(decoded.iss).toBe(account.getPublicKey());
    expect(decoded.sub).toBe(user.getPublicKey());
  });

  test('a damaged or foreign seed is refused', () => {
    const seed = text.decode(createUser().getSeed());
    const flipped = seed.slice(0, 10) + (seed[10] === 'A' ? 'B' : 'A') + seed.slice(11);
    expect(() => decodeSeed(flipped)).toThrow('checksum');
    expect(() => nativeKeyPair(createUser().getPublicKey())).toThrow();
    expect(crc16(bytes('123456789'))).toBe(0x31c3); // CRC-16/XMODEM check value
  });

  test('a cleared key pair can no longer sign', () => {
    const kp = createNativeKeyPair(NKEY_PREFIX.Account);
    kp.clear();
    expect(() => kp.sign(bytes('x'))).toThrow('cleared');
  });
});
