// The browser e-wallet as vendor shops embed it. It answers a shop's "pay" message (a vendor's 402)
// with the headers that pay, after the customer confirms or within an allowance per shop, and it
// is the only place the seeds are ever decrypted. Messages are accepted from the embedding page
// only, and answered to its origin only.
import { el, notice, problemText, request, uuid } from './common.mjs';
import { hasVault, OpenVault } from './vault-store.mjs';

const root = document.getElementById('frame');
const params = new URLSearchParams(location.search);
const vendorId = params.get('vendor') ?? '';
const ALLOWANCE = 'netpay.allowance.';
let vault = null;
let shop = null; // the embedding page's origin, learnt from its first message
let pending = null; // a payment waiting for the customer's confirmation

const reply = (message) => shop && parent.postMessage({ netpay: true, ...message }, shop);

// One client-side payment on its way at a time, across the tabs of this browser. Reserving under
// the wallet lock gives two tabs distinct paywords, but their requests could still reach the
// vendor in the other order: a later position accepted first makes the earlier one a replay
// (SPEND.PAYWORD_REPLAYED, its coins skipped). So a tab takes the Web Lock `netpay-wallet-send`
// before it reserves and keeps it until the shop reports the answer (`result`), SEND_HOLD_MS at
// most (a shop that never reports); the browser lets it go with a tab that closes.
const SEND_LOCK = 'netpay-wallet-send';
const SEND_HOLD_MS = 30_000;
const sending = new Map(); // purchase id → lets the send lock go

function holdSendLock(id) {
  const locks = navigator.locks;
  // Very old browsers have no Web Locks: as before, the vendor refuses a payment that lost the race.
  if (typeof locks?.request !== 'function' || sending.has(id)) return Promise.resolve();
  return new Promise((granted) => {
    void locks.request(
      SEND_LOCK,
      { mode: 'exclusive' },
      () =>
        new Promise((release) => {
          const timer = setTimeout(() => letGoSendLock(id), SEND_HOLD_MS);
          sending.set(id, () => {
            clearTimeout(timer);
            release();
          });
          granted();
        }),
    );
  });
}

function letGoSendLock(id) {
  const release = sending.get(id);
  sending.delete(id);
  release?.();
}

window.addEventListener('message', async (event) => {
  const m = event.data;
  if (event.source !== parent || !m || m.netpay !== true) return;
  if (shop === null) shop = event.origin;
  if (event.origin !== shop) return;
  try {
    if (m.type === 'hello') await status();
    else if (m.type === 'pay') await pay(m);
    else if (m.type === 'result') await settle(m).finally(() => letGoSendLock(m.id));
  } catch (error) {
    if (m.type === 'pay') letGoSendLock(m.id);
    reply({ type: 'error', id: m.id, code: error.code ?? 'WALLET.FAILED', detail: problemText(error) });
  }
});
draw();

function allowance() {
  return Number(localStorage.getItem(ALLOWANCE + shop) ?? 0);
}

async function serverCoins() {
  if (!vault?.customer) return 0;
  const res = await request('/wallet', { token: vault.customer.token });
  if (!res.ok) return 0;
  return res.body.chains
    .filter((c) => c.wallet === 'server' && c.status === 'open')
    .reduce((sum, c) => sum + c.remainingCoins, 0);
}

async function coinsLeft() {
  if (!vault) return null;
  await vault.refresh();
  vault.wallet.releaseDead(); // coins of purchases provably dead count again
  return vault.wallet.coinsLeft(vendorId) + (await serverCoins());
}

async function status() {
  const left = await coinsLeft();
  reply({ type: 'status', unlocked: vault !== null, hasWallet: hasVault(), coinsLeft: left });
  draw(left);
}

function draw(left) {
  if (!hasVault()) {
    return root.replaceChildren(
      el('p', {}, el('strong', {}, 'NetPay wallet: '), 'there is no wallet in this browser yet.'),
      el('a', { class: 'button', href: '/', target: '_blank', rel: 'noopener' }, 'Buy coins at the broker'),
    );
  }
  if (!vault) {
    const form = el(
      'form',
      { id: 'unlock', class: 'row', novalidate: true },
      el('label', { for: 'passphrase' }, 'NetPay wallet passphrase'),
      el('input', {
        id: 'passphrase',
        name: 'passphrase',
        type: 'password',
        autocomplete: 'current-password',
      }),
      el('button', { type: 'submit' }, 'Unlock'),
    );
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const value = form.elements.passphrase.value;
      if (!value) return form.after(notice('error', 'Enter your wallet passphrase.'));
      try {
        vault = await OpenVault.unlock(value);
        await status();
      } catch (error) {
        root.querySelector('.notice')?.remove();
        root.append(
          notice(
            'error',
            error.code === 'WALLET.WRONG_PASSPHRASE'
              ? 'Wrong passphrase: the wallet stays locked. Try again.'
              : problemText(error),
          ),
        );
        reply({ type: 'status', unlocked: false, hasWallet: true, coinsLeft: null, code: error.code });
      }
    });
    return root.replaceChildren(
      form,
      el('p', { class: 'hint' }, 'Your coins are encrypted in this browser; unlock them to pay this shop.'),
    );
  }
  const allow = el(
    'form',
    { id: 'allowance', class: 'row', novalidate: true },
    el('label', { for: 'allow' }, 'Pay this shop without asking, up to'),
    el('input', {
      id: 'allow',
      name: 'allow',
      type: 'number',
      min: 0,
      max: 1000,
      value: allowance(),
      inputmode: 'numeric',
    }),
    ' coins ',
    el('button', { type: 'submit', class: 'secondary' }, 'Set'),
  );
  allow.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = allow.elements.allow.value.trim();
    allow.querySelector('.field-error')?.remove();
    if (!/^\d+$/.test(v) || +v > 1000)
      return allow.append(el('span', { class: 'field-error' }, 'A whole number of coins from 0 to 1000.'));
    localStorage.setItem(ALLOWANCE + shop, String(Number(v)));
    draw(left);
  });
  root.replaceChildren(
    el(
      'p',
      { class: 'row' },
      el('strong', {}, 'NetPay wallet'),
      ' · coins left: ',
      el('span', { class: 'coins-left', id: 'wallet-coins' }, left ?? '…'),
    ),
    pending ? confirmBox() : allow,
  );
}

function confirmBox() {
  const p = pending;
  return el(
    'div',
    { id: 'confirm', class: 'notice warn' },
    // Any page may embed this frame and word the resource: the customer sees who is asking.
    el('strong', { id: 'confirm-origin' }, shop ?? 'A page'),
    ` asks you to pay ${p.coins} coin${p.coins === 1 ? '' : 's'} to ${p.vendorId} for ${p.resource}.`,
    el(
      'div',
      { class: 'row' },
      el('button', { type: 'button', id: 'confirm-pay', onclick: () => decide(true) }, 'Pay'),
      el(
        'button',
        { type: 'button', class: 'secondary', id: 'confirm-decline', onclick: () => decide(false) },
        'Decline',
      ),
    ),
  );
}

function decide(yes) {
  const p = pending;
  pending = null;
  draw();
  p.resolve(yes);
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

async function pay(m) {
  if (
    typeof m.id !== 'string' ||
    !ID.test(m.id) ||
    m.vendorId !== vendorId ||
    !Number.isSafeInteger(m.coins) ||
    m.coins < 1 ||
    m.coins > 10000 ||
    typeof m.resource !== 'string' ||
    m.resource.length > 512
  ) {
    return reply({
      type: 'error',
      id: m.id,
      code: 'WALLET.BAD_REQUEST',
      detail: 'the shop asked for a payment the wallet cannot read',
    });
  }
  if (!vault)
    return reply({
      type: 'error',
      id: m.id,
      code: hasVault() ? 'WALLET.LOCKED' : 'WALLET.NONE',
      detail: hasVault() ? 'Unlock your wallet first.' : 'There is no wallet in this browser yet.',
    });
  await vault.refresh();
  vault.wallet.releaseDead();
  const known = vault.wallet.purchaseList().find((p) => p.purchaseKey === m.id);
  const clientLeft = vault.wallet.coinsLeft(vendorId);
  const kind = known || clientLeft >= m.coins ? 'client' : (await serverCoins()) >= m.coins ? 'server' : null;
  if (kind === null) {
    return reply({
      type: 'error',
      id: m.id,
      code: 'WALLET.INSUFFICIENT_COINS',
      detail: `This costs ${m.coins} coins; your wallet has ${await coinsLeft()} left for this shop.`,
    });
  }
  if (!known) {
    // Authorising a vendor at the broker (a server-side checkout without a token) always takes the
    // customer's click: a shop's page must never undo a withdrawal on its own, allowance or not.
    const authorises = kind === 'server' && !vault.checkout[vendorId];
    const auto = allowance() >= m.coins && !authorises;
    if (auto) localStorage.setItem(ALLOWANCE + shop, String(allowance() - m.coins));
    else {
      const yes = await new Promise((resolve) => {
        pending = { ...m, resolve };
        draw();
      });
      if (!yes) return reply({ type: 'declined', id: m.id });
    }
  }
  if (kind === 'client') {
    // No other tab's payment is on its way meanwhile (see holdSendLock).
    await holdSendLock(m.id);
    // Read, reserve and store under the wallet lock: another tab paying at the same moment
    // reserves after this one saved, on the fresh state (never the same paywords). Stored before
    // the paywords leave this frame.
    const prepared = await vault.update((v) =>
      v.wallet.pay({
        purchaseKey: m.id,
        vendorId,
        resource: m.resource,
        coins: m.coins,
        currency: m.currency,
        coinValue: m.coinValue,
      }),
    );
    return reply({ type: 'payment', id: m.id, wallet: 'client', headers: prepared.headers });
  }
  let token = vault.checkout[vendorId];
  if (!token) {
    const res = await request('/wallet/vendors', {
      method: 'POST',
      token: vault.customer.token,
      key: uuid(),
      body: { vendorId },
    });
    if (!res.ok)
      return reply({ type: 'error', id: m.id, code: res.body.code, detail: problemText(res.body) });
    token = res.body.checkoutToken;
    await vault.update(async (v) => {
      v.checkout[vendorId] = token;
    });
  }
  return reply({
    type: 'payment',
    id: m.id,
    wallet: 'server',
    headers: { 'x-netpay-checkout': token, 'idempotency-key': m.id },
  });
}

async function settle(m) {
  const mine = vault?.wallet.purchaseList().find((p) => p.purchaseKey === m.id);
  if (mine && mine.status === 'sent') {
    // A refusal stating that nothing was recorded (and the vendor's index) lets the wallet give
    // the paywords back once the purchase's deadline has passed (packages/wallet/README.md).
    // Under the wallet lock, on the stored state: a release never races another tab's reservation.
    await vault.update(async (v) => {
      v.wallet.settle(
        m.id,
        m.ok
          ? { ok: true, receiptId: String(m.receiptId ?? '') }
          : {
              ok: false,
              code: String(m.code ?? 'REFUSED'),
              ...(m.recorded === false ? { recorded: false } : {}),
              ...(Number.isSafeInteger(m.index) && m.index >= 1 ? { index: m.index } : {}),
            },
      );
    });
  } else if (
    !mine &&
    !m.ok &&
    /^CHECKOUT\.TOKEN_|VENDOR_NOT_AUTHORISED|^CHAIN\.SLICE_WITHDRAWN$/.test(String(m.code))
  ) {
    // null, not deleted: a merge with the stored copy keeps it; the next purchase asks anew
    await vault.update(async (v) => {
      v.checkout[vendorId] = null;
    });
  }
  const left = await coinsLeft();
  reply({ type: 'settled', id: m.id, coinsLeft: left });
  draw(left);
}
