// Checks on what the services answer — the bodies and headers, not only status codes.
import { check } from 'k6';
import { bodyOf, codeOf, header, receiptOf } from './payment.js';

/**
 * A paid GET answered with the content and a receipt for exactly this payment: the receipt id
 * header, a signed receipt naming this vendor and chain (or, server-side, this vendor) up to the
 * shown position, and the item asked for. Two checks (each is a sample k6 records on every
 * request, and k6 shares the machine with what it measures): the receipt, then the content.
 */
export function checkSale(res, { vendorId, item, payment, kind }) {
  const ok = res.status === 200;
  const receiptId = ok ? header(res, 'X-NetPay-Receipt-Id') : undefined;
  const receipt = ok ? receiptOf(res) : undefined;
  const body = ok ? bodyOf(res) : undefined;
  const receiptOk =
    ok &&
    typeof receiptId === 'string' &&
    receiptId.startsWith('rc_') &&
    !!receipt &&
    receipt.receiptId === receiptId &&
    receipt.vendorId === vendorId &&
    typeof receipt.signature === 'string' &&
    (!payment || (receipt.chainId === payment.chainId && receipt.toIndex === payment.position));
  const contentOk =
    !!body &&
    !!body.item &&
    body.item.id === item &&
    typeof body.item.body === 'string' &&
    body.receiptId === receiptId;
  return check(
    res,
    {
      [`${kind}: 200 with the signed receipt of this payment`]: () => receiptOk,
      [`${kind}: content served`]: () => contentOk,
    },
    { endpoint: kind },
  );
}

/** A replayed payword must be refused as a replay (and must never be served). */
export function checkReplayRefused(res) {
  return check(
    res,
    {
      'replay: refused 409': (r) => r.status === 409,
      'replay: code SPEND.PAYWORD_REPLAYED': (r) => codeOf(r) === 'SPEND.PAYWORD_REPLAYED',
      'replay: no receipt': (r) => !header(r, 'X-NetPay-Receipt-Id'),
    },
    { endpoint: 'replay' },
  );
}

export function checkRegistered(res) {
  const body = bodyOf(res);
  return check(
    res,
    {
      'register: status 201': (r) => r.status === 201,
      'register: customer id and bearer token': () =>
        !!body &&
        /^cus_/.test(body.customerId) &&
        typeof body.token === 'string' &&
        body.token.startsWith('npc.'),
    },
    { endpoint: 'register' },
  );
}

/** A purchase: one charge, chains whose touchstones are signed, seeds only for client-side wallets. */
export function checkPurchase(res, { coins, wallet }) {
  const body = bodyOf(res);
  const chains = (body && body.chains) || [];
  return check(
    res,
    {
      'purchase: status 201': (r) => r.status === 201,
      'purchase: completed for the coins asked': () =>
        !!body && body.status === 'completed' && body.coins === coins && body.wallet === wallet,
      'purchase: chains with signed touchstones': () =>
        chains.length > 0 &&
        chains.reduce((n, c) => n + c.length, 0) === coins &&
        chains.every(
          (c) =>
            !!c.touchstone &&
            c.touchstone.chainId === c.chainId &&
            /^[0-9a-f]{128}$/.test(c.touchstone.signature) &&
            /^[0-9a-f]+$/.test(c.touchstone.root),
        ),
      'purchase: seeds only client-side': () =>
        chains.every((c) => (wallet === 'client' ? /^[0-9a-f]{64}$/.test(c.seed) : c.seed === undefined)),
    },
    { endpoint: 'purchase' },
  );
}

export function checkWalletView(res) {
  const body = bodyOf(res);
  return check(
    res,
    {
      'wallet: status 200': (r) => r.status === 200,
      'wallet: chains with remaining coins': () =>
        !!body &&
        Array.isArray(body.chains) &&
        body.chains.length > 0 &&
        body.chains.every((c) => Number.isInteger(c.remainingCoins) && c.remainingCoins >= 0),
    },
    { endpoint: 'wallet' },
  );
}
