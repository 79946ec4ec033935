import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Wallet } from '@netpay/wallet';
import { preparePayment } from './payment.js';
import { WALLET } from './wallet-errors.js';
import { decryptWallet, encryptWallet } from './wallet-file.js';
import { loadWallet, saveWallet } from './wallet-store.js';
import { boughtChain } from './wallet.test-support.js';

// Cheap scrypt in tests; the default parameters are for real wallets.
const fast = { N: 1024, r: 8, p: 1 };
const passphrase = 'correct horse battery staple';
const now = new Date('2026-06-01T00:00:00.000Z');

async function walletWithSpend(): Promise<Wallet> {
  const wallet = new Wallet();
  await wallet.addChain(boughtChain('f_a'));
  const payment = await preparePayment(wallet, 4, { vendorId: 'v1', now });
  wallet.settle(payment.purchaseKey, { ok: true, receiptId: 'r1' });
  return wallet;
}

describe('wallet file (scrypt + AES-256-GCM, versioned)', () => {
  it('round-trips chains, purchases, index and last vendor, and keeps the seed out of the file text', async () => {
    const wallet = await walletWithSpend();
    const text = encryptWallet(wallet, passphrase, fast);
    expect(text).not.toContain(wallet.state().chains[0]!.seed);
    expect(JSON.parse(text)).toMatchObject({
      format: 'netpay-wallet',
      version: 1,
      kdf: { name: 'scrypt', N: 1024 },
    });
    const opened = decryptWallet(text, passphrase);
    expect(opened.state()).toEqual(wallet.state());
    expect((await preparePayment(opened, 1, { vendorId: 'v1', now })).fromIndex).toBe(5);
  });

  it('says clearly when the passphrase is wrong', async () => {
    const text = encryptWallet(await walletWithSpend(), passphrase, fast);
    expect(() => decryptWallet(text, 'not the passphrase')).toThrow(
      expect.objectContaining({
        code: WALLET.WRONG_PASSPHRASE,
        message: 'wrong passphrase for this wallet file',
      }),
    );
  });

  it('detects a changed ciphertext, tag or header', async () => {
    const text = encryptWallet(await walletWithSpend(), passphrase, fast);
    const file = JSON.parse(text) as { ciphertext: string; cipher: { iv: string; tag: string } };
    const bytes = Buffer.from(file.ciphertext, 'base64');
    bytes[10] = bytes[10]! ^ 1;
    const flipped = { ...file, ciphertext: bytes.toString('base64') };
    const badIv = { ...file, cipher: { ...file.cipher, iv: '00'.repeat(12) } };
    const badTag = { ...file, cipher: { ...file.cipher, tag: '00'.repeat(16) } };
    for (const tampered of [flipped, badIv, badTag]) {
      expect(() => decryptWallet(JSON.stringify(tampered), passphrase)).toThrow(
        expect.objectContaining({ code: WALLET.FILE_TAMPERED }),
      );
    }
  });

  it('refuses other formats, versions and out-of-bounds scrypt parameters', () => {
    const file = JSON.parse(encryptWallet(new Wallet(), passphrase, fast)) as Record<string, unknown>;
    expect(() => decryptWallet('{}', passphrase)).toThrow(
      expect.objectContaining({ code: WALLET.FILE_MALFORMED }),
    );
    expect(() => decryptWallet('not json', passphrase)).toThrow(
      expect.objectContaining({ code: WALLET.FILE_MALFORMED }),
    );
    expect(() => decryptWallet(JSON.stringify({ ...file, version: 2 }), passphrase)).toThrow(
      expect.objectContaining({ code: WALLET.FILE_UNSUPPORTED }),
    );
    const huge = { ...file, kdf: { ...(file.kdf as object), N: 2 ** 30 } };
    expect(() => decryptWallet(JSON.stringify(huge), passphrase)).toThrow(
      expect.objectContaining({ code: WALLET.FILE_UNSUPPORTED }),
    );
  });

  it('saves to a file only its owner can read and loads it back', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'netpay-wallet-')), 'wallet.json');
    const wallet = await walletWithSpend();
    await saveWallet(path, wallet, passphrase, fast);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('"format": "netpay-wallet"');
    expect((await loadWallet(path, passphrase)).state()).toEqual(wallet.state());
  });
});
