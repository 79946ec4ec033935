// What one iteration of each executor does, as a customer would: spend at a vendor (client-side
// wallet or server-side checkout), buy coins, look at the wallet. Scenario scripts re-export these
// and pick them by name (`exec`) in their executors.
import exec from 'k6/execution';
import http from 'k6/http';
import { checkPurchase, checkRegistered, checkReplayRefused, checkSale, checkWalletView } from './checks.js';
import { brokerUrl, meta, myBundle, shopById, shops } from './data.js';
import {
  coinsSpent,
  dataExhausted,
  doubleSpendsAccepted,
  handOffs,
  purchases,
  refusals,
  replaysRefused,
  spendsAccepted,
  warmUpSpends,
} from './metrics.js';
import { checkoutHeaders, codeOf, idempotencyKey, paymentHeaders, walletNonce } from './payment.js';
import { Purse } from './purse.js';

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const share = (name, fallback) => {
  const n = Number(__ENV[name]);
  return Number.isFinite(n) && __ENV[name] !== '' && __ENV[name] !== undefined ? n : fallback;
};

/** Where a customer shops next: its favourite vendor, or (share HOP) another one that becomes the favourite. */
function nextShop(state) {
  if (!state.favourite) {
    state.favourite = __ENV.VENDOR ? shopById(__ENV.VENDOR) : shops[(exec.vu.idInTest - 1) % shops.length];
  }
  if (shops.length > 1 && Math.random() < share('HOP', 0)) {
    state.favourite = pick(shops.filter((s) => s.id !== state.favourite.id));
  }
  return state.favourite;
}

let told = 0;
/** Counts a refusal or failure by code; the first few of each VU are logged to say why. */
function refused(endpoint, res) {
  const code = codeOf(res);
  refusals.add(1, { endpoint, code });
  if (told++ < 3) console.warn(`${endpoint}: HTTP ${res.status} ${code} (VU ${exec.vu.idInTest})`);
}

const paidGet = (shop, item, headers, endpoint, extra = {}) =>
  http.get(`${shop.url}${shop.path}/${item}`, {
    headers,
    tags: { endpoint, vendor: shop.id, name: shop.routeName },
    ...extra,
  });

const client = { purse: undefined, favourite: undefined };

function purse() {
  if (!client.purse) client.purse = new Purse(myBundle() && myBundle().clientChains);
  return client.purse;
}

/** A client-side spend of one item's price; now and then the same payword replayed elsewhere. */
export function clientSpend() {
  const shop = nextShop(client);
  const payment = purse().pay(shop.price);
  if (!payment) {
    dataExhausted.add(1);
    return;
  }
  const handOff = payment.holder !== undefined && payment.holder !== shop.id;
  const endpoint = handOff ? 'spend-handoff' : 'spend';
  if (!spend(shop, payment, endpoint)) return;
  spendsAccepted.add(1, { endpoint });
  coinsSpent.add(payment.count);
  if (handOff) handOffs.add(1);
  if (shops.length > 1 && Math.random() < share('REPLAY', 0)) replay(payment, shop);
}

/**
 * The warm-up (one iteration per VU, before the measured phase): the first spend of each of the
 * VU's chains at its vendor, as a wallet that has paid there before. A vendor's first look at a
 * chain reads its stream and checks its touchstone; a steady state has few of those, and a test
 * that starts every chain at once would measure them instead of spending. Tagged `warm-up`: not
 * in the spend figures or thresholds, and not counted as accepted spends.
 */
export function warmUp() {
  const shop = nextShop(client);
  const p = purse();
  for (let n = 0; n < p.size; n++) {
    const payment = p.payFrom(n, shop.price);
    if (payment && spend(shop, payment, 'warm-up')) warmUpSpends.add(1);
  }
}

/** Shows `payment` at `shop` for one of its items; true when it was accepted with a receipt. */
function spend(shop, payment, endpoint) {
  const item = pick(shop.items);
  const res = paidGet(shop, item, paymentHeaders(payment), endpoint);
  checkSale(res, { vendorId: shop.id, item, payment, kind: endpoint });
  if (res.status !== 200) {
    refused(endpoint, res);
    client.purse.abandon(payment);
    return false;
  }
  client.purse.confirm(payment, shop.id);
  return true;
}

/** Shows an accepted payword again at another vendor, for other content: a double spend attempt. */
function replay(payment, spentAt) {
  const shop = pick(shops.filter((s) => s.id !== spentAt.id));
  const res = paidGet(shop, pick(shop.items), paymentHeaders(payment), 'replay', {
    responseCallback: http.expectedStatuses(409),
  });
  checkReplayRefused(res);
  if (res.status >= 200 && res.status < 300) doubleSpendsAccepted.add(1, { vendor: shop.id });
  else if (codeOf(res) === 'SPEND.PAYWORD_REPLAYED') replaysRefused.add(1);
  else refused('replay', res);
}

const server = { left: undefined, holder: undefined, favourite: undefined };

/** A server-side debit: the vendor checks the wallet out from the broker (or takes it over from the holder). */
export function serverDebit() {
  const wallet = myBundle() && myBundle().serverWallet;
  if (server.left === undefined) server.left = wallet ? wallet.coins : 0;
  const shop = nextShop(server);
  if (!wallet || server.left < shop.price) {
    dataExhausted.add(1);
    return;
  }
  const handOff = server.holder !== undefined && server.holder !== shop.id;
  const endpoint = handOff ? 'debit-handoff' : 'debit';
  const item = pick(shop.items);
  const res = paidGet(shop, item, checkoutHeaders(wallet.checkout[shop.id]), endpoint);
  checkSale(res, { vendorId: shop.id, item, kind: endpoint });
  if (res.status !== 200) {
    refused(endpoint, res);
    return;
  }
  server.left -= shop.price;
  server.holder = shop.id;
  spendsAccepted.add(1, { endpoint });
  coinsSpent.add(shop.price);
  if (handOff) handOffs.add(1);
}

const customers = [];
const json = { 'Content-Type': 'application/json' };

/** Issuance: register a customer (or come back as one) and buy coins with one charge. */
export function issue() {
  const bundle = myBundle();
  if (!bundle) {
    dataExhausted.add(1);
    return;
  }
  let token;
  if (customers.length === 0 || Math.random() < 0.5) {
    const name = `load_${meta.runId}_vu${exec.vu.idInTest}_${exec.vu.iterationInInstance}`;
    const res = http.post(
      `${brokerUrl}/customers`,
      JSON.stringify({ name, bankAccount: bundle.bankAccount, bankMandate: bundle.bankMandate }),
      {
        headers: { ...json, 'Idempotency-Key': idempotencyKey() },
        tags: { endpoint: 'register' },
      },
    );
    if (!checkRegistered(res)) {
      refused('register', res);
      return;
    }
    token = res.json().token;
    customers.push(token);
  } else {
    token = pick(customers);
  }
  const wallet = Math.random() < 0.2 ? 'server' : 'client';
  const coins = share('PURCHASE_COINS', 100);
  const body = { coins, coinValue: meta.coinValue, currency: meta.currency, wallet };
  if (wallet === 'client') body.walletNonce = walletNonce();
  const res = http.post(`${brokerUrl}/purchases`, JSON.stringify(body), {
    headers: { ...json, Authorization: `Bearer ${token}`, 'Idempotency-Key': idempotencyKey() },
    tags: { endpoint: 'purchase' },
  });
  checkPurchase(res, { coins, wallet });
  if (res.status === 201) purchases.add(1);
  else refused('purchase', res);
}

/** The customer looks at its server-side wallet (the broker's read model). */
export function walletView() {
  const wallet = myBundle() && myBundle().serverWallet;
  if (!wallet) {
    dataExhausted.add(1);
    return;
  }
  const res = http.get(`${brokerUrl}/wallet`, {
    headers: { Authorization: `Bearer ${wallet.customerToken}` },
    tags: { endpoint: 'wallet' },
  });
  checkWalletView(res);
  if (res.status !== 200) refused('wallet', res);
}
