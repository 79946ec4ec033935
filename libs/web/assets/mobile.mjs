// A vendor's content pages for phones (Mobile-NetPay): the list with prices, one tap to buy from
// the subscriber's server-side e-wallet, the coins left after each purchase, and a clear page for
// every refusal. The operator's gateway adds the subscriber token (X-NetPay-Checkout) to every
// request this page makes: the page never sees it, and the shop never learns who the subscriber is.
import { el, notice, problemText, request, uuid } from './common.mjs';

const page = document.getElementById('page');
let catalog;

init();

async function init() {
  const res = await request('/catalog');
  if (!res.ok)
    return show(refusal('The shop is not available', res.body.code ?? 'HTTP', problemText(res.body)));
  catalog = res.body;
  document.title = catalog.name;
  document.getElementById('shop-name').textContent = catalog.name;
  const wallet = await refreshCoins();
  if (!wallet.ok) return show(walletRefusal(wallet));
  list();
}

function show(node) {
  page.replaceChildren(node);
  window.scrollTo(0, 0);
}

/** Asks the shop for the coins left; answers the request's result. */
async function refreshCoins() {
  const res = await request('/m/wallet');
  document.getElementById('wallet-coins').textContent = res.ok ? String(res.body.coinsLeft) : '–';
  return res;
}

function list() {
  show(
    el(
      'div',
      { id: 'list' },
      catalog.sections.map((s) =>
        el(
          'section',
          { class: 'card' },
          el('h2', {}, s.title),
          el(
            'ul',
            { class: 'items' },
            s.items.map((item) =>
              el(
                'li',
                { 'data-item': item.id },
                el('div', {}, el('strong', {}, item.title), el('p', { class: 'hint' }, item.teaser)),
                el(
                  'button',
                  {
                    type: 'button',
                    class: 'buy',
                    'data-buy': item.id,
                    onclick: () => buy(s, item, uuid()),
                  },
                  `${s.action} · ${item.coins} coins`,
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

async function buy(section, item, key) {
  show(el('p', { class: 'hint', id: 'paying' }, `Paying ${item.coins} coins for ${item.title}…`));
  const answer = await request(`${section.path}/${encodeURIComponent(item.id)}`, { key });
  if (answer.status === 0 || answer.status === 503) {
    // The outcome is unknown: "Try again" sends the same purchase (same key), never a new one.
    return show(
      refusal(
        'The shop did not answer',
        answer.body.code ?? 'NETWORK.UNREACHABLE',
        `${problemText(answer.body)} Try again: it is the same purchase, you are not charged twice.`,
        el('button', { type: 'button', id: 'retry', onclick: () => buy(section, item, key) }, 'Try again'),
      ),
    );
  }
  const wallet = await refreshCoins();
  if (!answer.ok) return show(vendorRefusal(answer));
  const left = wallet.ok ? String(wallet.body.coinsLeft) : '?';
  show(
    el(
      'div',
      {},
      el(
        'p',
        { class: 'notice ok', id: 'paid' },
        `Paid ${item.coins} coins. Coins left: `,
        el('span', { id: 'coins-left' }, left),
      ),
      content(section, answer.body.item),
      backButton(),
    ),
  );
}

function content(section, item) {
  if (section.key === 'music')
    return el(
      'div',
      { id: 'content', class: 'card' },
      el('h1', {}, item.title),
      el('audio', { controls: true, src: item.body }),
    );
  if (section.key === 'cards')
    return el(
      'div',
      { id: 'content', class: 'card' },
      el('h1', {}, item.title),
      el('p', {}, item.teaser),
      el('p', { class: 'hint' }, 'Your card is ready to send.'),
    );
  return el('article', { id: 'content', class: 'card' }, el('h1', {}, item.title), el('p', {}, item.body));
}

function backButton() {
  return el('button', { type: 'button', id: 'back', class: 'secondary', onclick: list }, 'Back to the list');
}

function buyMore() {
  return el(
    'a',
    { class: 'button', id: 'buy-more', href: `${catalog.brokerUrl}/mobile` },
    'Buy coins from your operator',
  );
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

const TOKEN_REFUSALS = {
  'SUBSCRIBER_TOKEN.MISSING': [
    'Open this shop through your operator',
    'Your mobile operator vouches for you when you browse through its network; this visit came without it.',
  ],
  'SUBSCRIBER_TOKEN.EXPIRED': [
    'Your visit has expired',
    'Your operator vouches for a visit for a limited time. Open the shop again from your operator.',
  ],
  'SUBSCRIBER_TOKEN.NOT_YET_VALID': [
    'Your visit is not valid yet',
    'The clocks disagree. Open the shop again from your operator in a minute.',
  ],
  'SUBSCRIBER_TOKEN.WRONG_VENDOR': [
    'This visit is for another shop',
    'Your operator vouched for you at another shop. Open this one again from your operator.',
  ],
  'SUBSCRIBER_TOKEN.INVALID': [
    'Your operator did not vouch for this visit',
    'The shop could not check who vouched for you. Open the shop again from your operator.',
  ],
  'SUBSCRIBER_TOKEN.GRANT_INVALID': [
    'Your operator did not vouch for this visit',
    'The shop could not check your wallet’s grant. Open the shop again from your operator.',
  ],
};

const PAY_REFUSALS = {
  'CHECKOUT.NO_COINS': [
    'Not enough coins',
    'Your e-wallet has no coins left for this. Buy more from your operator.',
  ],
  'WALLET.NO_PAYWORDS': [
    'Not enough coins',
    'Your e-wallet has no coins left for this. Buy more from your operator.',
  ],
  'SPEND.CHAIN_EXHAUSTED': [
    'Not enough coins',
    'Your e-wallet has no coins left for this. Buy more from your operator.',
  ],
  'CHAIN.SLICE_WITHDRAWN': [
    'You withdrew this shop',
    'You withdrew this shop at your operator: it may not take coins from your e-wallet any more.',
  ],
  'CHECKOUT.VENDOR_NOT_AUTHORISED': [
    'You withdrew this shop',
    'This shop may not take coins from your e-wallet. Open it again from your operator to allow it.',
  ],
  'CHECKOUT.TOKEN_EXPIRED': TOKEN_REFUSALS['SUBSCRIBER_TOKEN.EXPIRED'],
  'CHAIN.REVOKED': ['Your coins were revoked', 'Your operator revoked these coins. Nothing was bought.'],
  'TOUCHSTONE.EXPIRED': ['Your coins have expired', 'Buy new coins from your operator.'],
  'PAYMENT.REQUIRED': TOKEN_REFUSALS['SUBSCRIBER_TOKEN.MISSING'],
};

const NOT_ENOUGH = new Set([
  'CHECKOUT.NO_COINS',
  'WALLET.NO_PAYWORDS',
  'SPEND.CHAIN_EXHAUSTED',
  'TOUCHSTONE.EXPIRED',
]);

function vendorRefusal(res) {
  const code = res.body.code ?? `HTTP.${res.status}`;
  const [title, text] = PAY_REFUSALS[code] ??
    TOKEN_REFUSALS[code] ?? ['The shop refused the purchase', problemText(res.body)];
  return refusal(
    title,
    code,
    `${text} Nothing was bought. (${code})`,
    NOT_ENOUGH.has(code) ? buyMore() : null,
    backButton(),
  );
}

function walletRefusal(res) {
  const code = res.body.code ?? `HTTP.${res.status}`;
  const [title, text] = TOKEN_REFUSALS[code] ?? ['Your e-wallet is not available', problemText(res.body)];
  return refusal(title, code, `${text} (${code})`);
}
