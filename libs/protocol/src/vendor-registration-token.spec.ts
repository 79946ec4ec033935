import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isVendorRegistrationToken, vendorRegistrationToken } from './vendor-registration-token.js';

const SECRET = 'ab'.repeat(32);
const SCRIPT = fileURLToPath(new URL('../../../scripts/vendor-registration-token.mjs', import.meta.url));

describe('vendor registration token', () => {
  it('is one per vendor id and broker secret, and admits only that vendor id', () => {
    const token = vendorRegistrationToken(SECRET, 'va');
    expect(token).toMatch(/^nvr1\.[0-9a-f]{64}$/);
    expect(isVendorRegistrationToken(SECRET, 'va', token)).toBe(true);
    expect(isVendorRegistrationToken(SECRET, 'vb', token)).toBe(false);
    expect(isVendorRegistrationToken('cd'.repeat(32), 'va', token)).toBe(false);
    expect(isVendorRegistrationToken(SECRET, 'va', token.slice(0, -1))).toBe(false);
  });

  it('is what the operator’s script prints', () => {
    const run = spawnSync(process.execPath, [SCRIPT, 'greetings'], {
      env: { ...process.env, BROKER_SECRET: SECRET, BROKER_SECRET_FILE: '' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(vendorRegistrationToken(SECRET, 'greetings'));
    const bad = spawnSync(process.execPath, [SCRIPT, 'no such id!'], {
      env: { ...process.env, BROKER_SECRET: SECRET, BROKER_SECRET_FILE: '' },
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
  });
});
