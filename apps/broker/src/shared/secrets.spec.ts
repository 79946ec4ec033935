import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { CheckoutTokens } from '../authorise-vendor/checkout-tokens.js';
import { customerIdOf, issueCustomerToken, tokenMatches } from '../customer/customer-token.js';
import { BrokerSecrets } from './broker-secrets.js';
import { SeedCipher } from './seed-cipher.js';

const hex32 = (): string => randomBytes(32).toString('hex');

describe('server-side seed sealing (AES-256-GCM)', () => {
  const cipher = new SeedCipher(hex32(), 'wk1');
  const seed = hex32();

  it('opens what it sealed, and only for the same chain', () => {
    const sealed = cipher.encrypt('ch_a', seed);
    expect(sealed.ciphertext).not.toContain(seed);
    expect(cipher.decrypt('ch_a', sealed)).toBe(seed);
    expect(() => cipher.decrypt('ch_b', sealed)).toThrow(
      expect.objectContaining({ code: 'WALLET.SEED_UNREADABLE' }),
    );
  });

  it('refuses a tampered seed and a seed sealed under another key', () => {
    const sealed = cipher.encrypt('ch_a', seed);
    const flipped = {
      ...sealed,
      ciphertext: (sealed.ciphertext[0] === '0' ? '1' : '0') + sealed.ciphertext.slice(1),
    };
    expect(() => cipher.decrypt('ch_a', flipped)).toThrow(
      expect.objectContaining({ code: 'WALLET.SEED_UNREADABLE' }),
    );
    expect(() => new SeedCipher(hex32(), 'wk1').decrypt('ch_a', sealed)).toThrow(
      expect.objectContaining({ code: 'WALLET.SEED_UNREADABLE' }),
    );
  });
});

describe('derived ids and checkout tokens', () => {
  const secrets = new BrokerSecrets(hex32());

  it('derives the same id from the same parts, another from other parts, unlinkable without the secret', () => {
    const id = secrets.id('pur', 'purchase', 'cus_1', 'key-1');
    expect(id).toMatch(/^pur_[0-9a-f]{32}$/);
    expect(secrets.id('pur', 'purchase', 'cus_1', 'key-1')).toBe(id);
    expect(secrets.id('pur', 'purchase', 'cus_1key', '-1')).not.toBe(id);
    expect(new BrokerSecrets(hex32()).id('pur', 'purchase', 'cus_1', 'key-1')).not.toBe(id);
  });

  it('derives the very ids, seeds and subkeys earlier releases derived (a retry across an upgrade finds its purchase)', () => {
    // Vectors from the release before the derivation was rewritten to one buffer and a KeyObject.
    const fixed = new BrokerSecrets('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff');
    expect(fixed.id('pur', 'purchase', 'cus_1', 'key-1')).toBe('pur_9169d9fc158e3d55e250f40adc33cc05');
    expect(fixed.mac('client-seed/v1', 'ch_0123', '').toString('hex')).toBe(
      'cde2419e5fb5272a3881952820c71a201e2a621cfd635dcc6dd0a1f89efe2e9e',
    );
    expect(fixed.mac('client-seed/v1', 'ch_0123', 'nonce\u00e9').toString('hex')).toBe(
      '667e4e22b411f4dd7150f12168f278bab1201f875801f06bbf164acffcad95c9',
    );
    expect(fixed.subkey('checkout-token/v1').toString('hex')).toBe(
      '150c8ca6ba0f62eca9059620ed0d24a8ac2116d57b38f0c73b6107565cdec131',
    );
  });

  it('issues opaque checkout tokens that open to their claims and refuse tampering', () => {
    const tokens = new CheckoutTokens(secrets);
    const token = tokens.issue({ customerId: 'cus_secret', vendorId: 'v1', expiresAt: 1_900_000_000_000 });
    expect(token).not.toContain('cus_secret');
    expect(tokens.open(token)).toEqual({
      customerId: 'cus_secret',
      vendorId: 'v1',
      expiresAt: 1_900_000_000_000,
    });
    expect(tokens.open(token.slice(0, -3) + (token.endsWith('A') ? 'BBB' : 'AAA'))).toBeUndefined();
    expect(new CheckoutTokens(new BrokerSecrets(hex32())).open(token)).toBeUndefined();
    expect(tokens.open('garbage')).toBeUndefined();
  });
});

describe('customer bearer tokens', () => {
  it('names the customer, matches only its own hash', () => {
    const { token, tokenHash } = issueCustomerToken('cus_abc');
    expect(customerIdOf(token)).toBe('cus_abc');
    expect(tokenMatches(token, tokenHash)).toBe(true);
    expect(tokenMatches(issueCustomerToken('cus_abc').token, tokenHash)).toBe(false);
    expect(customerIdOf('npc.cus_abc.short')).toBeUndefined();
  });
});
