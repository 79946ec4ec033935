// A vendor's shop: the catalogue with prices, pay-per-item through the NetPay wallet frame (the
// broker's page embedded here), the coins left after each purchase, and a clear page for every
// refusal. The shop never sees the customer's seeds or identity: only the paywords of a purchase.
import { checkFields, el, notice, problemText, request, uuid } from './common.mjs';

const page = document.getElementById('page');
let catalog;
let frame;
let brokerOrigin;
let coinsLeft = null;
const waiting = new Map(); // message id → resolve
let lastPurchase = null; // { id, section, item, to } kept for a retry after a lost answer

init();

async function init() {
  const res = await request('/catalog');
  if (!res.ok)
    return page.replaceChildren(notice('error', 'The catalogue is not available: ', problemText(res.body)));
  catalog = res.body;
  document.title = catalog.name;
  document.getElementById('shop-name').textContent = catalog.name;
  const buyLink = document.getElementById('broker-link');
  buyLink.href = `${catalog.brokerUrl}/#buy`;
  brokerOrigin = new URL(catalog.brokerUrl).origin;
  frame = el('iframe', {
    class: 'wallet',
    id: 'wallet',
    title: 'Your NetPay wallet',
    src: `${catalog.brokerUrl}/site/wallet-frame.html?vendor=${encodeURIComponent(catalog.vendorId)}`,
  });
  frame.addEventListener('load', () => post({ type: 'hello' }));
  document.getElementById('wallet-slot').replaceChildren(frame);
  window.addEventListener('message', onMessage);
  window.addEventListener('hashchange', route);
  route();
}

function post(message) {
  frame.contentWindow.postMessage({ netpay: true, ...message }, brokerOrigin);
}

function onMessage(event) {
  if (event.origin !== brokerOrigin || event.source !== frame.contentWindow || event.data?.netpay !== true)
    return;
  const m = event.data;
  if (typeof m.coinsLeft === 'number') coinsLeft = m.coinsLeft;
  if (m.type === 'status') return;
  const resolve = waiting.get(m.id);
  if (resolve) {
    waiting.delete(m.id);
    resolve(m);
  }
}

/** Asks the wallet frame and waits for its answer (the customer may take their time to confirm). */
function ask(message) {
  return new Promise((resolve) => {
    waiting.set(message.id, resolve);
    post(message);
  });
}

function route() {
  const [, key, id] = location.hash.split('/');
  const section = catalog.sections.find((s) => s.key === key);
  const item = section?.items.find((i) => i.id === id);
  if (key && !item)
    return show(refusal('Not in this shop', 'PAGE.NOT_FOUND', 'There is no such item here.', backLink()));
  if (item) return show(itemPage(section, item));
  show(listPage());
}

function show(...nodes) {
  page.replaceChildren(...nodes);
  window.scrollTo(0, 0);
}

function backLink() {
  return el('p', {}, el('a', { href: '#', id: 'back' }, '← Back to the catalogue'));
}

function listPage() {
  return el(
    'div',
    { id: 'catalogue' },
    el(
      'p',
      { class: 'hint' },
      `Prices are in coins of ${catalog.accept.currency} ${(catalog.accept.coinValue / 100).toFixed(2)}; your wallet pays per item.`,
    ),
    ...catalog.sections.map((s) =>
      el(
        'section',
        { class: 'card', 'data-section': s.key },
        el('h2', {}, s.title),
        el(
          'ul',
          { class: 'items' },
          s.items.map((i) =>
            el(
              'li',
              { 'data-item': i.id },
              el('strong', {}, i.title),
              el('p', { class: 'hint' }, i.teaser),
              el('span', { class: 'price' }, `${i.coins} coins`),
              ' ',
              el('a', { class: 'button', href: `#/${s.key}/${i.id}` }, `${s.action} · ${i.coins} coins`),
            ),
          ),
        ),
      ),
    ),
  );
}

function itemPage(section, item) {
  const form = el(
    'form',
    { class: 'card', id: 'buy-item', novalidate: true },
    el('h1', {}, item.title),
    el('p', { class: 'hint' }, item.teaser),
    section.key === 'cards'
      ? [
          el('label', { for: 'card-to' }, 'Send to (name)'),
          el('input', { id: 'card-to', name: 'to', type: 'text', maxlength: 60, autocomplete: 'off' }),
        ]
      : null,
    el('p', {}, 'Price: ', el('span', { class: 'price' }, `${item.coins} coins`)),
    el('button', { type: 'submit', id: 'pay-button' }, `${section.action} · ${item.coins} coins`),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (
      section.key === 'cards' &&
      !checkFields(form, {
        to: (v) =>
          /^[\p{L}\p{M} .'-]{1,60}$/u.test(v)
            ? ''
            : 'Give the name of the person the card is for (letters, 1–60).',
      })
    )
      return;
    form.querySelector('button').disabled = true;
    const to = form.elements.namedItem('to')?.value.trim();
    // The same purchase retried after a lost answer keeps its id: the wallet sends the same paywords.
    const again =
      lastPurchase &&
      lastPurchase.section === section.key &&
      lastPurchase.item === item.id &&
      lastPurchase.retry;
    const id = again ? lastPurchase.id : uuid();
    lastPurchase = { id, section: section.key, item: item.id, retry: false };
    show(el('p', { class: 'hint', id: 'paying' }, 'Paying with your NetPay wallet…'));
    show(await buy(section, item, id, to));
  });
  return el('div', {}, backLink(), form);
}

/** The 402 dance: ask, read the price, let the wallet pay, ask again with the payment. */
async function buy(section, item, id, to) {
  const url = `${section.path}/${encodeURIComponent(item.id)}`;
  const first = await request(url);
  if (first.ok) return content(section, item, first.body, to, null);
  if (first.status !== 402 || first.body.code !== 'PAYMENT.REQUIRED') return vendorRefusal(first);
  const price = first.body.price;
  const paid = await ask({
    type: 'pay',
    id,
    vendorId: catalog.vendorId,
    coins: price.coins,
    resource: `GET ${url}`,
    currency: price.currency,
    coinValue: price.coinValue,
  });
  if (paid.type === 'declined')
    return refusal(
      'Not bought',
      'WALLET.DECLINED',
      'You declined the payment: nothing was paid.',
      backLink(),
    );
  if (paid.type === 'error') return walletRefusal(paid);
  const answer = await request(url, { headers: paid.headers });
  if (answer.status === 0 || answer.status === 503) {
    lastPurchase.retry = true; // the outcome is unknown: the same purchase is offered again, never new coins
    return refusal(
      'The shop did not answer',
      answer.body.code ?? 'NETWORK.UNREACHABLE',
      `${problemText(answer.body)} Try again: your wallet will send the same payment, so you are not charged twice.`,
      el(
        'a',
        { class: 'button', href: `#/${section.key}/${item.id}`, onclick: () => setTimeout(route) },
        'Try again',
      ),
    );
  }
  const receiptId = answer.headers.get('x-netpay-receipt-id');
  const settled = await ask({
    type: 'result',
    id,
    ok: answer.ok,
    status: answer.status,
    receiptId,
    code: answer.body.code,
    recorded: answer.body.recorded,
    index: answer.body.index,
  });
  if (typeof settled.coinsLeft === 'number') coinsLeft = settled.coinsLeft;
  if (!answer.ok) return vendorRefusal(answer);
  return content(section, item, answer.body, to, receiptId);
}

function content(section, item, body, to, receiptId) {
  const paidLine = el(
    'p',
    { class: 'notice ok', id: 'paid' },
    `Paid ${item.coins} coins. Coins left: `,
    el('span', { class: 'coins-left', id: 'coins-left' }, coinsLeft ?? '?'),
    receiptId ? el('span', { class: 'hint' }, ` · receipt ${receiptId}`) : null,
  );
  let shown;
  if (section.key === 'newspaper')
    shown = el('article', { id: 'content' }, el('h1', {}, body.item.title), el('p', {}, body.item.body));
  else if (section.key === 'cards')
    shown = el(
      'div',
      { id: 'content', class: 'card' },
      el('p', {}, `Dear ${to},`),
      el('h1', {}, body.item.title),
      el('p', {}, body.item.teaser),
      el('p', { class: 'hint' }, 'Your card was sent.'),
    );
  else
    shown = el(
      'div',
      { id: 'content' },
      el('h1', {}, body.item.title),
      el('audio', { controls: true, src: body.item.body }),
    );
  return el('div', {}, paidLine, shown, backLink());
}

function refusal(title, code, text, ...more) {
  return el(
    'section',
    { class: 'card', id: 'refusal', 'data-code': code },
    el('h1', {}, title),
    notice('error', text),
    ...more,
  );
}

function walletRefusal(m) {
  const buyMore = el(
    'a',
    { class: 'button', id: 'buy-more', href: `${catalog.brokerUrl}/#buy` },
    'Buy more coins at the broker',
  );
  switch (m.code) {
    case 'WALLET.INSUFFICIENT_COINS':
      return refusal(
        'Not enough coins',
        m.code,
        `${m.detail} Buy more at the broker, then come back.`,
        buyMore,
        backLink(),
      );
    case 'WALLET.LOCKED':
      return refusal(
        'Your wallet is locked',
        m.code,
        'Unlock your NetPay wallet above with its passphrase, then try again.',
        backLink(),
      );
    case 'WALLET.NONE':
      return refusal(
        'No NetPay wallet in this browser',
        m.code,
        'Buy coins at the broker first: they are kept, encrypted, in this browser.',
        buyMore,
      );
    default:
      return refusal(
        'Your wallet could not pay',
        m.code ?? 'WALLET.FAILED',
        m.detail ?? 'The wallet refused.',
        backLink(),
      );
  }
}

const VENDOR_REFUSALS = {
  'CHAIN.REVOKED': [
    'Your coins were revoked',
    'The broker revoked the chain these coins come from (for example after a lost or stolen wallet). Nothing was bought. Re-issue or buy coins at the broker.',
  ],
  'CHAIN.CLOSED': [
    'These coins were closed',
    'The chain was closed at the broker (re-issued after a loss). Use the re-issued coins or buy new ones.',
  ],
  'SPEND.PAYWORD_REPLAYED': [
    'These coins were already spent',
    'The vendor has seen this payment for something else. Nothing more was taken.',
  ],
  'SPEND.CHAIN_EXHAUSTED': ['Not enough coins', 'The chain has no coins left. Buy more at the broker.'],
  'TOUCHSTONE.EXPIRED': ['Your coins have expired', 'Buy new coins at the broker.'],
  'SPEND.CURRENCY_NOT_ACCEPTED': [
    'Coins of another currency',
    'This shop takes other coins. Buy coins of its currency at the broker.',
  ],
  'SPEND.COIN_VALUE_NOT_ACCEPTED': [
    'Coins of another value',
    'This shop takes coins of another value. Buy matching coins at the broker.',
  ],
  'CHAIN.SLICE_WITHDRAWN': [
    'You withdrew this shop',
    'You withdrew this vendor at the broker: it may not take coins from your broker wallet any more.',
  ],
};

function vendorRefusal(res) {
  const code = res.body.code ?? `HTTP.${res.status}`;
  const [title, text] = VENDOR_REFUSALS[code] ?? ['The shop refused the payment', problemText(res.body)];
  return refusal(
    title,
    code,
    `${text} (${code})`,
    el('a', { class: 'button', href: `${catalog.brokerUrl}/` }, 'Go to the broker'),
    backLink(),
  );
}
