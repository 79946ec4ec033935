import { History } from './history.js';

/**
 * A day of honest NetPay, touching every rule:
 * - p1 buys client-side ch1, ch2 (20 coins × 5 NZD-cents); p2 buys server-side ch3 (10 coins).
 * - v1 spends ch1 1..5, hands it off to v2, which spends 6..9.
 * - v2 checks out ch3 up to 6, spends 1..3; v1 claims it (v2 timed out) and spends 4..5.
 * - v2 spends ch2 1..1; ch2 expires and its remainder (19 coins) is refunded.
 * - Both vendors redeem exactly what they spent and are paid.
 * Totals: customers paid 250; spent 15 coins = 75; redeemed and paid 75; refunded 95; liability 80.
 */
export function honestHistory(): History {
  return new History()
    .registerVendor('v1')
    .registerVendor('v2')
    .registerCustomer('cust_alice', 'Alice Smith')
    .authorise('cust_alice', 'v1')
    .authorise('cust_alice', 'v2')
    .purchase('p1', 'cust_alice', ['ch1', 'ch2'])
    .spend('ch1', 'v1', 3)
    .spend('ch1', 'v1', 2)
    .handOff('ch1', 'v1', 'v2')
    .spend('ch1', 'v2', 4)
    .purchase('p2', 'cust_alice', ['ch3'], { wallet: 'server', length: 10 })
    .checkout('ch3', 'v2', 6)
    .spend('ch3', 'v2', 2)
    .spend('ch3', 'v2', 1)
    .claim('ch3', 'v2', 'v1')
    .spend('ch3', 'v1', 2)
    .spend('ch2', 'v2', 1)
    .redeem('b1', 'v1', [
      ['ch1', 1, 5],
      ['ch3', 4, 5],
    ])
    .redeem('b2', 'v2', [
      ['ch1', 6, 9],
      ['ch3', 1, 3],
      ['ch2', 1, 1],
    ])
    .close('ch2', 'expired')
    .refund('cust_alice', 'ch2');
}
