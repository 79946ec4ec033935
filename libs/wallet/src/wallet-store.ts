import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Wallet } from '@netpay/wallet';
import { decryptWallet, DEFAULT_SCRYPT, encryptWallet, type ScryptParams } from './wallet-file.js';

/** Writes the encrypted wallet atomically (temp file, then rename), readable by its owner only. */
export async function saveWallet(
  path: string,
  wallet: Wallet,
  passphrase: string,
  params: ScryptParams = DEFAULT_SCRYPT,
): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, encryptWallet(wallet, passphrase, params), { mode: 0o600 });
  await rename(temp, path);
}

export async function loadWallet(path: string, passphrase: string): Promise<Wallet> {
  return decryptWallet(await readFile(path, 'utf8'), passphrase);
}
