// The broker's site: register, sign in, buy coins, balances per chain, history, vendors, lost wallet.
import { checkFields, el, money, notice, problemText, request, uuid, when } from './common.mjs';
import { forgetVault, hasVault, OpenVault } from './vault-store.mjs';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const SESSION = 'netpay.session';
let vault = null; // the unlocked browser wallet, kept in memory only

const session = {
  get: () => JSON.parse(sessionStorage.getItem(SESSION) ?? 'null'),
  set: (s) => sessionStorage.setItem(SESSION, JSON.stringify(s)),
  clear: () => sessionStorage.removeItem(SESSION),
};

const TOKEN = /^npc\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{16,128}$/;
const ID = /^[A-Za-z0-9_]{1,64}$/;

document.getElementById('sign-out').addEventListener('click', () => {
  session.clear();
  vault = null;
  location.hash = '';
  render();
});
window.addEventListener('hashchange', render);
render();

function show(...nodes) {
  main.replaceChildren(...nodes);
}

function busy(form, on) {
  for (const b of form.querySelectorAll('button')) b.disabled = on;
}

function result(form) {
  let box = form.querySelector('.result');
  if (!box) {
    box = el('div', { class: 'result' });
    form.append(box);
  }
  return box;
}

async function render() {
  const s = session.get();
  nav.classList.toggle('hidden', !s);
  if (!s) return show(welcome());
  const page = location.hash.slice(1) || 'wallet';
  const pages = {
    wallet: walletPage,
    buy: buyPage,
    history: historyPage,
    vendors: vendorsPage,
    lost: lostPage,
  };
  const make = pages[page];
  if (!make)
    return show(
      el(
        'section',
        { class: 'card' },
        el('h1', {}, 'No such page'),
        notice(
          'warn',
          'There is no page ',
          el('code', {}, page),
          '. ',
          el('a', { href: '#wallet' }, 'Back to the wallet'),
        ),
      ),
    );
  show(el('p', { class: 'hint' }, 'Loading…'));
  show(await make(s));
}

// ---- signed out: register and sign in ----

function welcome() {
  const register = el(
    'form',
    { id: 'register', class: 'card', novalidate: true },
    el('h2', {}, 'Register'),
    el(
      'p',
      { class: 'hint' },
      'You pay for coins from a bank account: give its id and the mandate your bank gave you for it.',
    ),
    el('label', { for: 'reg-name' }, 'Your name'),
    el('input', { id: 'reg-name', name: 'name', type: 'text', autocomplete: 'name', maxlength: 100 }),
    el('label', { for: 'reg-account' }, 'Bank account id'),
    el('input', { id: 'reg-account', name: 'bankAccount', type: 'text', maxlength: 64 }),
    el('label', { for: 'reg-mandate' }, 'Bank mandate'),
    el('input', {
      id: 'reg-mandate',
      name: 'bankMandate',
      type: 'password',
      autocomplete: 'off',
      maxlength: 256,
    }),
    el('div', {}, el('button', { type: 'submit' }, 'Register')),
  );
  register.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ok = checkFields(register, {
      name: (v) => (v.length < 1 ? 'Enter your name.' : v.length > 100 ? 'At most 100 characters.' : ''),
      bankAccount: (v) => (ID.test(v) ? '' : 'A bank account id is 1–64 letters, digits or _.'),
      bankMandate: (v) =>
        /^[A-Za-z0-9_-]{16,128}$/.test(v)
          ? ''
          : 'Enter the mandate your bank gave you: 16–128 letters, digits, _ or -.',
    });
    if (!ok) return;
    busy(register, true);
    const f = register.elements;
    register.dataset.key ??= uuid();
    const res = await request('/customers', {
      method: 'POST',
      key: register.dataset.key,
      body: {
        name: f.name.value.trim(),
        bankAccount: f.bankAccount.value.trim(),
        bankMandate: f.bankMandate.value.trim(),
      },
    });
    busy(register, false);
    if (!res.ok) {
      delete register.dataset.key; // a refusal changed nothing: a corrected form is a new request
      return result(register).replaceChildren(notice('error', 'Not registered: ', problemText(res.body)));
    }
    if (!res.body.token)
      return result(register).replaceChildren(
        notice('warn', 'You registered already with this form; sign in with the key you were shown.'),
      );
    session.set({ customerId: res.body.customerId, token: res.body.token });
    show(
      el(
        'section',
        { class: 'card', id: 'registered' },
        el('h1', {}, 'Welcome to NetPay'),
        notice(
          'ok',
          'You are registered. This is your sign-in key. It is shown once: keep it somewhere safe.',
          el('code', { class: 'secret', id: 'sign-in-key' }, res.body.token),
        ),
        el('a', { class: 'button', href: '#buy', onclick: () => setTimeout(render) }, 'Continue: buy coins'),
      ),
    );
    nav.classList.remove('hidden');
  });

  const signIn = el(
    'form',
    { id: 'sign-in', class: 'card', novalidate: true },
    el('h2', {}, 'Sign in'),
    el('label', { for: 'sign-in-token' }, 'Your sign-in key'),
    el('input', {
      id: 'sign-in-token',
      name: 'token',
      type: 'password',
      autocomplete: 'off',
      placeholder: 'npc.…',
    }),
    el('div', {}, el('button', { type: 'submit' }, 'Sign in')),
  );
  signIn.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ok = checkFields(signIn, {
      token: (v) =>
        TOKEN.test(v) ? '' : 'A sign-in key looks like npc.<your id>.<secret>, as shown when you registered.',
    });
    if (!ok) return;
    const token = signIn.elements.token.value.trim();
    busy(signIn, true);
    const res = await request('/wallet', { token });
    busy(signIn, false);
    if (!res.ok)
      return result(signIn).replaceChildren(
        notice('error', res.status === 401 ? 'That sign-in key is not valid.' : problemText(res.body)),
      );
    session.set({ customerId: res.body.customerId, token });
    render();
  });
  return el('div', {}, el('h1', {}, 'Buy e-coins once, pay cents anywhere'), register, signIn);
}

// ---- the browser wallet: unlock ----

function unlockForm(after) {
  const form = el(
    'form',
    { id: 'unlock', class: 'card', novalidate: true },
    el('h2', {}, 'Unlock your browser wallet'),
    el('label', { for: 'unlock-passphrase' }, 'Passphrase'),
    el('input', {
      id: 'unlock-passphrase',
      name: 'passphrase',
      type: 'password',
      autocomplete: 'current-password',
    }),
    el(
      'div',
      { class: 'row' },
      el('button', { type: 'submit' }, 'Unlock'),
      // Another customer's wallet in this browser (a shared computer): without its passphrase the
      // next customer could neither unlock it nor make one. Its owner gets the coins back by a
      // re-issue at the broker ("Lost your browser wallet?").
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'forget-wallet',
          onclick: () => {
            const sure = confirm(
              'Forget the browser wallet kept here? Its coins stay with the customer who bought them, who can have them re-issued at the broker ("Lost your browser wallet?").',
            );
            if (!sure) return;
            forgetVault();
            vault = null;
            after();
          },
        },
        'Not mine: forget it',
      ),
    ),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!checkFields(form, { passphrase: (v) => (v ? '' : 'Enter the passphrase of this browser wallet.') }))
      return;
    busy(form, true);
    try {
      vault = await OpenVault.unlock(form.elements.passphrase.value);
      after();
    } catch (error) {
      result(form).replaceChildren(
        notice(
          'error',
          error.code === 'WALLET.WRONG_PASSPHRASE'
            ? 'Wrong passphrase: the wallet stays locked. Try again.'
            : problemText(error),
        ),
      );
    } finally {
      busy(form, false);
    }
  });
  return form;
}

// ---- wallet: balances per chain ----

async function walletPage(s) {
  const res = await request('/wallet', { token: s.token });
  if (!res.ok) return failed('Your wallet', res);
  if (vault) await vault.refresh().catch(() => undefined);
  const local = new Map((vault?.wallet.summaries() ?? []).map((c) => [c.chainId, c]));
  const rows = res.body.chains.map((c) => {
    const here = local.get(c.chainId);
    return el(
      'tr',
      { 'data-chain': c.chainId },
      el('td', {}, el('code', {}, c.chainId)),
      el('td', {}, c.wallet === 'client' ? 'in this browser' : 'at the broker'),
      el('td', {}, c.status),
      el('td', { class: 'num coins' }, here ? here.remainingCoins : c.remainingCoins),
      el(
        'td',
        { class: 'num' },
        money((here ? here.remainingCoins : c.remainingCoins) * c.coinValue, c.currency),
      ),
      el('td', {}, c.holder ?? '–'),
      el('td', {}, when(c.expiresAt)),
    );
  });
  const total = (
    vault
      ? res.body.chains.map((c) => local.get(c.chainId)?.remainingCoins ?? c.remainingCoins)
      : res.body.chains.map((c) => c.remainingCoins)
  ).reduce((a, b) => a + b, 0);
  return el(
    'div',
    {},
    el('h1', {}, 'Your wallet'),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, 'Balance'),
      el(
        'p',
        {},
        'Coins left: ',
        el('span', { class: 'coins-left', id: 'coins-total' }, total),
        ' · ',
        res.body.balances.map((b) => money(b.remainingValue, b.currency)).join(', ') || 'no coins yet',
      ),
      res.body.chains.length === 0
        ? el('p', {}, 'No coins yet. ', el('a', { href: '#buy' }, 'Buy coins'))
        : el(
            'div',
            { class: 'table-wrap' },
            el(
              'table',
              { id: 'chains' },
              el(
                'thead',
                {},
                el(
                  'tr',
                  {},
                  ...['Chain', 'Wallet', 'Status', 'Coins left', 'Value', 'Held by', 'Expires'].map((h) =>
                    el('th', {}, h),
                  ),
                ),
              ),
              el('tbody', {}, rows),
            ),
          ),
      el(
        'p',
        { class: 'hint' },
        'Coins of a browser wallet are counted by this browser (it knows what it paid even before the vendors tell the broker).',
      ),
    ),
    hasVault() && !vault
      ? unlockForm(render)
      : vault
        ? notice('ok', 'Your browser wallet is unlocked in this page.')
        : el(
            'p',
            { class: 'hint' },
            'No browser wallet here yet: it is made when you buy coins kept in this browser.',
          ),
  );
}

// ---- buy coins ----

async function buyPage(s) {
  const form = el(
    'form',
    { id: 'buy-form', class: 'card', novalidate: true },
    el('h1', {}, 'Buy coins'),
    el(
      'p',
      { class: 'hint' },
      'One payment from your bank account buys many coins; each article or card then costs a few coins, paid by your wallet without asking the bank again.',
    ),
    el('label', { for: 'buy-coins' }, 'How many coins'),
    el('input', {
      id: 'buy-coins',
      name: 'coins',
      type: 'number',
      min: 1,
      max: 10000,
      value: 50,
      inputmode: 'numeric',
    }),
    el('label', { for: 'buy-value' }, 'Value of one coin (cents)'),
    el('input', {
      id: 'buy-value',
      name: 'coinValue',
      type: 'number',
      min: 1,
      max: 100000,
      value: 5,
      inputmode: 'numeric',
    }),
    el('label', { for: 'buy-currency' }, 'Currency'),
    el(
      'select',
      { id: 'buy-currency', name: 'currency' },
      ...['NZD', 'EUR', 'USD'].map((c) => el('option', { value: c }, c)),
    ),
    el(
      'fieldset',
      {},
      el('legend', {}, 'Where the coins are kept'),
      el(
        'label',
        {},
        el('input', { type: 'radio', name: 'wallet', value: 'client', checked: true }),
        ' in this browser (client-side wallet)',
      ),
      el(
        'label',
        {},
        el('input', { type: 'radio', name: 'wallet', value: 'server' }),
        ' at the broker (server-side wallet)',
      ),
    ),
    el('label', { for: 'buy-vendors' }, 'Only for these vendors (optional)'),
    el('input', {
      id: 'buy-vendors',
      name: 'vendors',
      type: 'text',
      placeholder: 'e.g. newspaper, greetings',
    }),
    el('p', { class: 'hint' }, 'Leave empty to spend the coins at any vendor.'),
    passphraseFields(),
    el('div', {}, el('button', { type: 'submit' }, 'Buy')),
  );
  // A changed form is a new purchase: the double-click guard below is for the same one only.
  form.addEventListener('input', () => delete form.dataset.bought);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = form.elements;
    const needNew = !vault && !hasVault();
    const ok = checkFields(form, {
      coins: (v) =>
        /^\d+$/.test(v) && +v >= 1 && +v <= 10000 ? '' : 'Buy a whole number of coins from 1 to 10000.',
      coinValue: (v) =>
        /^\d+$/.test(v) && +v >= 1 && +v <= 100000
          ? ''
          : 'A coin is worth a whole number of cents from 1 to 100000.',
      vendors: (v) =>
        v === '' || v.split(',').every((x) => ID.test(x.trim()))
          ? ''
          : 'Vendor ids are 1–64 letters, digits or _, separated by commas.',
      passphrase: (v) =>
        vault
          ? ''
          : needNew
            ? v.length < 8
              ? 'Choose a passphrase of at least 8 characters: it locks the wallet in this browser.'
              : ''
            : v
              ? ''
              : 'Enter the passphrase of your browser wallet.',
      repeat: (v) => (needNew && v !== f.passphrase.value ? 'The two passphrases differ.' : ''),
    });
    if (!ok) return;
    busy(form, true);
    try {
      if (!vault)
        vault = needNew
          ? await OpenVault.create(f.passphrase.value)
          : await OpenVault.unlock(f.passphrase.value);
    } catch (error) {
      busy(form, false);
      return result(form).replaceChildren(
        notice(
          'error',
          error.code === 'WALLET.WRONG_PASSPHRASE'
            ? 'Wrong passphrase: the wallet stays locked, nothing was bought.'
            : problemText(error),
        ),
      );
    }
    const vendors = f.vendors.value.trim()
      ? [...new Set(f.vendors.value.split(',').map((x) => x.trim()))]
      : undefined;
    const body = {
      coins: Number(f.coins.value),
      coinValue: Number(f.coinValue.value),
      currency: f.currency.value,
      wallet: f.wallet.value,
      ...(vendors ? { vendors } : {}),
    };
    // The form just bought exactly this: a second click (a double click, Enter pressed twice) is
    // not a second purchase unless the customer says so by pressing Buy once more.
    if (form.dataset.bought === JSON.stringify(body)) {
      delete form.dataset.bought;
      busy(form, false);
      return result(form).replaceChildren(
        notice(
          'warn',
          el('span', { id: 'bought-already' }, 'You bought these coins a moment ago. '),
          'Press Buy once more to buy the same again.',
        ),
      );
    }
    // One key and wallet nonce per purchase, kept for a retry of the same form.
    const same = form.dataset.body === JSON.stringify(body);
    if (!same) {
      form.dataset.body = JSON.stringify(body);
      form.dataset.key = uuid();
      form.dataset.nonce = [...crypto.getRandomValues(new Uint8Array(32))]
        .map((b) => b.toString(16).padStart(2, '0'))
        .join('');
    }
    const res = await request('/purchases', {
      method: 'POST',
      token: s.token,
      key: form.dataset.key,
      body: body.wallet === 'client' ? { ...body, walletNonce: form.dataset.nonce } : body,
    });
    if (!res.ok) {
      busy(form, false);
      if (res.status < 500) delete form.dataset.body;
      return result(form).replaceChildren(
        notice(
          'error',
          res.status === 402
            ? 'Your bank declined the payment: nothing was charged. '
            : 'Nothing was bought: ',
          problemText(res.body),
        ),
      );
    }
    // Added and stored under the wallet lock, on the stored state (another tab may be paying).
    await vault.update(async (v) => {
      v.customer = { customerId: s.customerId, token: s.token };
      for (const c of res.body.chains)
        if (c.seed)
          await v.wallet
            .addChain({ seed: c.seed, touchstone: c.touchstone })
            .catch((error) => (error.code === 'WALLET.DUPLICATE_CHAIN' ? undefined : Promise.reject(error)));
    });
    delete form.dataset.body;
    form.dataset.bought = JSON.stringify(body);
    busy(form, false);
    result(form).replaceChildren(
      notice(
        'ok',
        el(
          'span',
          { id: 'bought' },
          `Bought ${res.body.coins} coins for ${money(res.body.amount, res.body.currency)}`,
        ),
        body.wallet === 'client' ? ', kept encrypted in this browser.' : ', kept at the broker.',
        ' ',
        el('a', { href: '#wallet' }, 'See your wallet'),
      ),
    );
  });
  return form;
}

function passphraseFields() {
  if (vault) return el('p', { class: 'hint' }, 'Your browser wallet is unlocked.');
  if (hasVault())
    return el(
      'div',
      {},
      el('label', { for: 'buy-passphrase' }, 'Passphrase of your browser wallet'),
      el('input', {
        id: 'buy-passphrase',
        name: 'passphrase',
        type: 'password',
        autocomplete: 'current-password',
      }),
    );
  return el(
    'div',
    {},
    el('label', { for: 'buy-passphrase' }, 'Choose a passphrase for the wallet in this browser'),
    el('input', { id: 'buy-passphrase', name: 'passphrase', type: 'password', autocomplete: 'new-password' }),
    el('label', { for: 'buy-repeat' }, 'Repeat the passphrase'),
    el('input', { id: 'buy-repeat', name: 'repeat', type: 'password', autocomplete: 'new-password' }),
    el(
      'p',
      { class: 'hint' },
      'The coins are encrypted with it (WebCrypto); nobody, not even the broker, can open them without it.',
    ),
  );
}

// ---- history ----

const DESCRIBE = {
  purchase: (e) => [
    `Bought ${e.coins} coins (${e.wallet === 'client' ? 'browser' : 'broker'} wallet)`,
    '',
    e.coins,
    money(e.amount, e.currency),
  ],
  spend: (e, kinds) => [
    'Spent',
    e.vendorId,
    e.coins,
    `${kinds.get(e.chainId) === 'server' ? 'broker wallet' : 'browser wallet'} · chain ${e.chainId} · receipt ${e.receiptId}`,
  ],
  refund: (e) => ['Refunded', '', '', `${money(e.amount, e.currency)} to your account · chain ${e.chainId}`],
  'hand-off': (e) => [
    e.via === 'claim' ? 'Chain claimed (holder did not answer)' : 'Hand-off',
    `${e.fromVendor} → ${e.toVendor}`,
    '',
    `chain ${e.chainId} at index ${e.index}`,
  ],
  checkout: (e) => ['Server wallet checked out', e.vendorId, e.sliceEnd - e.index + 1, `chain ${e.chainId}`],
  'slice-returned': (e) => [
    'Unspent coins back in the wallet',
    e.vendorId,
    '',
    `chain ${e.chainId} from index ${e.index}`,
  ],
  revoked: (e) => ['Chain revoked', '', '', `chain ${e.chainId}: ${e.reason}`],
  closed: (e) => ['Chain closed', '', '', `chain ${e.chainId} at index ${e.index}: ${e.reason}`],
  reissued: (e) => ['Re-issued', '', e.coins, `${e.fromChainId} → ${e.toChainId}`],
  'vendor-authorised': (e) => ['Vendor authorised', e.vendorId, '', ''],
  'vendor-withdrawn': (e) => ['Vendor withdrawn', e.vendorId, '', ''],
};

async function historyPage(s) {
  const res = await request('/wallet/history?limit=500', { token: s.token });
  if (!res.ok) return failed('History', res);
  if (vault) await vault.refresh().catch(() => undefined);
  // What a spend paid for: as the vendor recorded it, else as this browser's wallet kept it.
  const resources = new Map(
    (vault?.wallet.purchaseList() ?? []).filter((p) => p.receiptId).map((p) => [p.receiptId, p.resource]),
  );
  const kinds = new Map(
    res.body.entries
      .filter((e) => e.kind === 'purchase')
      .flatMap((e) => e.chainIds.map((c) => [c, e.wallet])),
  );
  const rows = res.body.entries.map((e) => {
    const [what, vendor, coins, detail] = (DESCRIBE[e.kind] ?? (() => [e.kind, '', '', '']))(e, kinds);
    return el(
      'tr',
      { 'data-kind': e.kind },
      el('td', {}, when(e.at)),
      el('td', {}, what),
      el('td', {}, vendor),
      el('td', { class: 'num' }, coins),
      el('td', {}, e.kind === 'spend' ? (e.resource ?? resources.get(e.receiptId) ?? '(not recorded)') : ''),
      el('td', { class: 'hint' }, detail),
    );
  });
  return el(
    'section',
    { class: 'card' },
    el('h1', {}, 'Transaction history'),
    spendingTable(res.body.vendors ?? []),
    el('h2', {}, 'Transactions'),
    rows.length === 0
      ? el('p', {}, 'Nothing yet.')
      : el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            { id: 'history' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['When', 'What', 'Vendor', 'Coins', 'Resource', 'Details'].map((h) => el('th', {}, h)),
              ),
            ),
            el('tbody', {}, rows),
          ),
        ),
    !vault && hasVault()
      ? [
          el('p', { class: 'hint' }, 'Unlock your browser wallet to see its coins in this history too.'),
          unlockForm(render),
        ]
      : null,
  );
}

/** Spends per vendor: how many purchases, how many coins, the latest. */
function spendingTable(vendors) {
  if (vendors.length === 0) return null;
  return el(
    'div',
    { class: 'table-wrap spending' },
    el('h2', {}, 'Spent per vendor'),
    el(
      'table',
      { id: 'vendor-spending' },
      el(
        'thead',
        {},
        el('tr', {}, ...['Vendor', 'Purchases', 'Coins', 'Latest'].map((h) => el('th', {}, h))),
      ),
      el(
        'tbody',
        {},
        vendors.map((v) =>
          el(
            'tr',
            { 'data-vendor': v.vendorId },
            el('td', {}, v.vendorId),
            el('td', { class: 'num' }, v.purchases),
            el('td', { class: 'num' }, v.coins),
            el('td', {}, when(v.lastAt)),
          ),
        ),
      ),
    ),
  );
}

// ---- vendors: authorise and withdraw (server-side wallet) ----

async function vendorsPage(s) {
  const res = await request('/wallet/history?limit=1', { token: s.token });
  if (!res.ok) return failed('Vendors', res);
  const form = el(
    'form',
    { id: 'authorise', class: 'card', novalidate: true },
    el('h2', {}, 'Authorise a vendor'),
    el(
      'p',
      { class: 'hint' },
      'An authorised vendor may take coins from your wallet at the broker when you buy from it.',
    ),
    el('label', { for: 'vendor-id' }, 'Vendor id'),
    el('input', { id: 'vendor-id', name: 'vendorId', type: 'text', placeholder: 'newspaper' }),
    el('div', {}, el('button', { type: 'submit' }, 'Authorise')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (
      !checkFields(form, { vendorId: (v) => (ID.test(v) ? '' : 'A vendor id is 1–64 letters, digits or _.') })
    )
      return;
    busy(form, true);
    const res2 = await request('/wallet/vendors', {
      method: 'POST',
      token: s.token,
      key: uuid(),
      body: { vendorId: form.elements.vendorId.value.trim() },
    });
    busy(form, false);
    if (!res2.ok)
      return result(form).replaceChildren(notice('error', 'Not authorised: ', problemText(res2.body)));
    render();
  });
  const list = res.body.authorisedVendors.map((v) =>
    el(
      'li',
      {},
      el('strong', {}, v),
      ' ',
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-withdraw': v,
          onclick: (ev) => withdraw(s, v, ev.target),
        },
        'Withdraw',
      ),
    ),
  );
  return el(
    'div',
    {},
    el('h1', {}, 'Vendors'),
    el(
      'section',
      { class: 'card' },
      el('h2', {}, 'Authorised vendors'),
      list.length ? el('ul', { id: 'authorised' }, list) : el('p', {}, 'None.'),
    ),
    form,
  );
}

async function withdraw(s, vendorId, button) {
  button.disabled = true;
  const res = await request(`/wallet/vendors/${encodeURIComponent(vendorId)}`, {
    method: 'DELETE',
    token: s.token,
    key: uuid(),
  });
  if (!res.ok) {
    button.disabled = false;
    return button.after(notice('error', problemText(res.body)));
  }
  render();
}

// ---- lost wallet: re-issue ----

async function lostPage(s) {
  const res = await request('/wallet', { token: s.token });
  if (!res.ok) return failed('Lost wallet', res);
  const chains = res.body.chains.filter((c) => c.wallet === 'client' && c.status === 'open');
  const items = chains.map((c) =>
    el(
      'li',
      {},
      el('code', {}, c.chainId),
      ` · ${c.remainingCoins} coins left as the broker knows it `,
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-reissue': c.chainId,
          onclick: (ev) => reissue(s, c.chainId, ev.target),
        },
        'Re-issue',
      ),
    ),
  );
  return el(
    'section',
    { class: 'card' },
    el('h1', {}, 'Lost your browser wallet?'),
    el(
      'p',
      {},
      'Re-issuing closes a chain where it is now (vendors refuse it from then on) and gives you its unspent coins as a new chain in this browser.',
    ),
    vault || !hasVault() ? null : unlockForm(render),
    items.length ? el('ul', { id: 'reissue-list' }, items) : el('p', {}, 'No open browser-wallet chains.'),
  );
}

async function reissue(s, chainId, button) {
  if (!vault && !hasVault())
    vault = await OpenVault.create(
      prompt('Choose a passphrase (8 characters or more) for the new browser wallet') ?? '',
    ).catch((error) => (button.after(notice('error', problemText(error))), null));
  if (!vault) return button.after(notice('error', 'Unlock your browser wallet first (above).'));
  button.disabled = true;
  const res = await request(`/chains/${encodeURIComponent(chainId)}/reissue`, {
    method: 'POST',
    token: s.token,
    key: (button.dataset.key ??= uuid()),
  });
  if (!res.ok) {
    button.disabled = false;
    return button.after(notice('error', 'Not re-issued: ', problemText(res.body)));
  }
  await vault.update(async (v) => {
    v.wallet.removeChain(chainId);
    if (res.body.chain?.seed)
      await v.wallet.addChain({ seed: res.body.chain.seed, touchstone: res.body.chain.touchstone });
    v.customer = { customerId: s.customerId, token: s.token };
  });
  button.replaceWith(
    notice(
      'ok',
      res.body.chain
        ? `Re-issued as ${res.body.chain.chainId} with ${res.body.chain.length} coins.`
        : 'Closed: nothing was left to re-issue.',
    ),
  );
}

function failed(title, res) {
  if (res.status === 401) {
    session.clear();
    return el(
      'section',
      { class: 'card' },
      el('h1', {}, 'Signed out'),
      notice('error', 'Your sign-in key was not accepted. ', el('a', { href: '/' }, 'Sign in again')),
    );
  }
  return el('section', { class: 'card' }, el('h1', {}, title), notice('error', problemText(res.body)));
}
