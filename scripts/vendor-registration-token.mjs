// A vendor's registration token: what its process needs (VENDOR_REGISTRATION_TOKEN) to register
// itself at the broker at start, and nothing else (not the admin token). HMAC-SHA256 under
// BROKER_SECRET of 'netpay/vendor-registration/v1', a NUL and the vendor id
// (libs/protocol/src/vendor-registration-token.ts; the broker recomputes it).
//
//   BROKER_SECRET_FILE=/secure/broker-secret node scripts/vendor-registration-token.mjs <vendorId>
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

const vendorId = process.argv[2];
const secret = process.env.BROKER_SECRET_FILE
  ? readFileSync(process.env.BROKER_SECRET_FILE, 'utf8').replace(/\r?\n$/, '')
  : process.env.BROKER_SECRET;
if (!vendorId || !/^[A-Za-z0-9_]{1,64}$/.test(vendorId) || !secret || !/^[0-9a-f]{64}$/.test(secret)) {
  console.error(
    'usage: BROKER_SECRET=<64 hex> (or BROKER_SECRET_FILE=<file>) node scripts/vendor-registration-token.mjs <vendorId>',
  );
  process.exit(2);
}
const mac = createHmac('sha256', Buffer.from(secret, 'hex'))
  .update(`netpay/vendor-registration/v1\u0000${vendorId}`, 'utf8')
  .digest('hex');
console.log(`nvr1.${mac}`);
