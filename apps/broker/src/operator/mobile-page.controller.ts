import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OperatorGatewayGuard } from './operator-gateway.guard.js';

/**
 * The SP's phone page (`GET /mobile/`): balance or bill, coins left in the e-wallet, and one tap to
 * buy coins. Reached through the operator's gateway like the API (it injects the subscriber's
 * identity into every request, the page's own calls included); no password, no cookie. The page
 * calls `GET /mobile/account` and `POST /mobile/purchases` with a fresh Idempotency-Key per tap.
 */
@ApiExcludeController()
@Controller('mobile')
@UseGuards(OperatorGatewayGuard)
export class MobilePageController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('cache-control', 'no-store')
  @Header(
    'content-security-policy',
    "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
  )
  page(): string {
    return SP_PAGE;
  }
}

const SP_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your e-coins</title>
<style>
body{font:16px system-ui,sans-serif;margin:0;padding:16px;max-width:480px}
h1{font-size:20px;margin:0 0 12px} .card{border:1px solid #ccc;border-radius:8px;padding:12px;margin:0 0 12px}
button{font-size:18px;width:100%;min-height:48px;margin:6px 0;border-radius:8px}
#status{min-height:24px}
</style></head>
<body>
<h1>Your e-coins</h1>
<div class="card"><div id="plan">…</div><div id="money">…</div><div id="coins">…</div></div>
<button id="buy" data-coins="20">Buy 20 coins (NZD 1.00)</button>
<p id="status" role="status"></p>
<script>
const nzd = (c) => 'NZD ' + (c / 100).toFixed(2);
function refused(body) {
  return 'Refused. ' + (body.detail || 'The operator refused.') + ' (' + (body.reason || body.code || 'error') + ')';
}
async function refresh() {
  const r = await fetch('/mobile/account');
  const a = await r.json();
  if (!r.ok) { document.getElementById('status').textContent = (a.detail || 'Not available') + ' (' + (a.code || r.status) + ')'; return; }
  const acc = a.account;
  document.getElementById('plan').textContent = acc.plan === 'prepaid' ? 'Prepaid' : 'Monthly bill';
  document.getElementById('money').textContent = acc.plan === 'prepaid'
    ? 'Balance ' + nzd(acc.balance) : 'This month ' + nzd(acc.bill.charged) + ' of ' + nzd(acc.bill.spendingCap);
  const left = a.wallet.balances.reduce((n, b) => n + b.remainingValue, 0);
  document.getElementById('coins').textContent = 'E-wallet ' + nzd(left);
}
document.getElementById('buy').addEventListener('click', async (e) => {
  const status = document.getElementById('status');
  status.textContent = 'Buying…';
  const r = await fetch('/mobile/purchases', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify({ coins: Number(e.target.dataset.coins), coinValue: 5, currency: 'NZD' }),
  });
  const body = await r.json();
  status.textContent = r.ok ? 'Bought ' + body.coins + ' coins' : refused(body);
  await refresh();
});
refresh();
</script>
</body></html>
`;
