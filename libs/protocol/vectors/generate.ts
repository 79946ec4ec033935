import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildVectors } from './build-vectors.js';

/**
 * Writes the protocol test vectors. Run from the repo root after a build:
 *   node dist/libs/protocol/vectors/generate.js [outDir=libs/protocol/vectors]
 * Only for a deliberate wire-format change: the committed files are the reference.
 */
const outDir = resolve(process.argv[2] ?? 'libs/protocol/vectors');
mkdirSync(outDir, { recursive: true });
const vectors = buildVectors();
const files: Record<string, unknown> = {
  'chains.json': vectors.chains,
  'touchstones.json': vectors.touchstones,
  'hand-offs.json': vectors.handOffs,
  'receipts.json': vectors.receipts,
  'receipt-batches.json': vectors.receiptBatches,
  'vendor-certificates.json': vectors.vendorCertificates,
  'hand-off-requests.json': vectors.handOffRequests,
  'wallet-grants.json': vectors.walletGrants,
  'revocation-notices.json': vectors.revocationNotices,
  'checkout-requests.json': vectors.checkoutRequests,
};
for (const [name, content] of Object.entries(files)) {
  writeFileSync(join(outDir, name), `${JSON.stringify(content, null, 2)}\n`);
  console.log(`wrote ${join(outDir, name)}`);
}
