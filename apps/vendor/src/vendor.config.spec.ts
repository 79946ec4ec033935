import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '#platform';
import { keyIdOf, pinnedBrokerKeys, VendorConfig } from './vendor.config.js';

const KEY = '11'.repeat(32);
const BROKER_PUBLIC_KEYS = `broker-1:${'22'.repeat(32)},broker:old:${'33'.repeat(32)}`;

describe('vendor configuration', () => {
  it('takes defaults for everything but the vendor id and key', () => {
    const config = loadConfig(VendorConfig, { VENDOR_ID: 'egreeting', VENDOR_KEY: KEY, BROKER_PUBLIC_KEYS });
    expect(config).toMatchObject({
      vendorId: 'egreeting',
      port: 3001,
      handOffTimeoutMs: 2_000,
      catalog: ['newspaper'],
      acceptCoinValue: 5,
    });
    expect(keyIdOf(config)).toBe('egreeting-1');
    expect(pinnedBrokerKeys(config)).toEqual([
      { keyId: 'broker-1', publicKey: '22'.repeat(32), ownerId: 'broker' },
      { keyId: 'broker:old', publicKey: '33'.repeat(32), ownerId: 'broker' },
    ]);
  });

  it('refuses to start without pinned broker keys: they are never fetched', () => {
    expect(() => loadConfig(VendorConfig, { VENDOR_ID: 'v1', VENDOR_KEY: KEY })).toThrow(
      /BROKER_PUBLIC_KEYS/,
    );
    expect(() =>
      loadConfig(VendorConfig, { VENDOR_ID: 'v1', VENDOR_KEY: KEY, BROKER_PUBLIC_KEYS: 'broker-1:abc' }),
    ).toThrow(/BROKER_PUBLIC_KEYS/);
  });

  it('reads the key from VENDOR_KEY_FILE and durations like 750ms', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'vendor-key-')), 'key');
    writeFileSync(file, `${KEY}\n`);
    const config = loadConfig(VendorConfig, {
      VENDOR_ID: 'v1',
      VENDOR_KEY_FILE: file,
      BROKER_PUBLIC_KEYS,
      HANDOFF_TIMEOUT: '750ms',
      VENDOR_CATALOG: 'music,cards',
    });
    expect([config.vendorKey, config.handOffTimeoutMs, config.catalog]).toEqual([
      KEY,
      750,
      ['music', 'cards'],
    ]);
  });

  it('names every bad variable at once and never echoes the key', () => {
    let error: unknown;
    try {
      loadConfig(VendorConfig, {
        VENDOR_ID: 'not ok!',
        VENDOR_KEY: 'secret-but-wrong',
        VENDOR_CATALOG: 'casino',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const variable of ['VENDOR_ID', 'VENDOR_KEY', 'VENDOR_CATALOG']) expect(message).toContain(variable);
    expect(message).not.toContain('secret-but-wrong');
  });
});
