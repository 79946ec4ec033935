// Helpers shared by the NetPay pages (plain ES module, no dependencies).

/** Makes an element: el('p', { class: 'hint' }, 'text', child). Text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function uuid() {
  return crypto.randomUUID();
}

/** Minor units as money: 1050 NZD → "NZD 10.50". */
export function money(minor, currency) {
  return `${currency} ${(minor / 100).toFixed(2)}`;
}

export function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A problem+json answer (or a thrown error) as one sentence a person can act on. */
export function problemText(problem) {
  if (!problem) return 'Something went wrong.';
  const fields = Array.isArray(problem.errors)
    ? problem.errors.map((e) => `${e.field ?? e.property ?? ''}: ${(e.messages ?? [e.message]).join(', ')}`)
    : [];
  const detail = problem.detail ?? problem.message ?? problem.title ?? 'Something went wrong.';
  return [detail, ...fields].join(' — ') + (problem.code ? ` (${problem.code})` : '');
}

/** A notice box: kind is error | warn | ok. */
export function notice(kind, ...children) {
  return el('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** Shows field errors next to their inputs; answers true when there are none. */
export function checkFields(form, rules) {
  let ok = true;
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const [name, rule] of Object.entries(rules)) {
    const input = form.elements.namedItem(name);
    const value = input && 'value' in input ? input.value.trim() : '';
    const message = rule(value, form);
    if (input && 'setAttribute' in input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
    if (message) {
      ok = false;
      const anchor = input instanceof RadioNodeList ? input[0]?.closest('fieldset') : input;
      anchor?.after(el('p', { class: 'field-error', 'data-field': name }, message));
    }
  }
  return ok;
}

/** JSON fetch: answers { ok, status, body }; a network failure is a problem too. */
export async function request(url, { method = 'GET', token, body, key, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(key ? { 'idempotency-key': key } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    return {
      ok: false,
      status: 0,
      body: {
        code: 'NETWORK.UNREACHABLE',
        detail: `The server did not answer (${error.message}). Try again.`,
      },
      headers: new Headers(),
    };
  }
  const text = await response.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { detail: text.slice(0, 200) };
  }
  return { ok: response.ok, status: response.status, body: parsed, headers: response.headers };
}
