import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Idempotent, NetPayError } from '#platform';
import {
  type DoubleSpendProof,
  type PseudonymCertificate,
  type SignedRevocationNotice,
  parseIndexStatement,
  parsePeerCall,
  parsePeerRegistration,
  ProtocolError,
  PSEUDONYM_PATTERN,
  readObject,
  type SignedIndexStatement,
} from '#protocol';
import { CisCore, type IndexEntry, type PurchaseAnswer, type RedemptionAnswer } from './cis.core.js';

function parse<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof ProtocolError) throw new NetPayError('REQUEST.INVALID', `${what}: ${error.message}`);
    throw error;
  }
}

function pseudonymParam(value: string): string {
  if (!PSEUDONYM_PATTERN.test(value))
    throw new NetPayError('REQUEST.INVALID', 'not a pseudonym (ps_<16 hex>)');
  return value;
}

/** Splits a signed body into the call and the payload it covers. */
function signedBody(body: unknown): {
  call: ReturnType<typeof parsePeerCall>;
  payload: Record<string, unknown>;
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new NetPayError('REQUEST.INVALID', 'expected a JSON object');
  const { call, ...payload } = body as Record<string, unknown>;
  if (call === undefined)
    throw new NetPayError(
      'P2P.CALL_UNSIGNED',
      'a peer call must carry `call`, signed with the pseudonym key',
      { status: 401 },
    );
  return { call: parse('call', () => parsePeerCall(call)), payload };
}

function int(f: Record<string, unknown>, key: string): number {
  const v = f[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw new NetPayError('REQUEST.INVALID', `${key}: expected an integer`);
  return v;
}

function str(f: Record<string, unknown>, key: string): string {
  const v = f[key];
  if (typeof v !== 'string') throw new NetPayError('REQUEST.INVALID', `${key}: expected a string`);
  return v;
}

function statements(value: unknown, field: string): SignedIndexStatement[] {
  if (!Array.isArray(value) || value.length > 10_000)
    throw new NetPayError('REQUEST.INVALID', `${field}: expected an array (≤ 10000)`);
  return value.map((s: unknown, i) => parse(`${field}.${i}`, () => parseIndexStatement(s)));
}

function proof(value: unknown, field: string): DoubleSpendProof {
  const f = parse(field, () => readObject(value, ['first', 'second']));
  return {
    first: parse(`${field}.first`, () => parseIndexStatement(f.first)),
    second: parse(`${field}.second`, () => parseIndexStatement(f.second)),
  };
}

@ApiTags('p2p')
@Controller()
export class CisController {
  constructor(private readonly cis: CisCore) {}

  @Post('peers')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({
    summary:
      'Register a peer under a pseudonym, signed by the key it registers: only the CIS can open the sealed identity.',
  })
  async register(@Body() body: unknown): Promise<{ pseudonym: string; certificate: PseudonymCertificate }> {
    const r = parse('body', () => parsePeerRegistration(body));
    if (r.identity.length > 200) throw new NetPayError('REQUEST.INVALID', 'identity: 1-200 characters');
    if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(r.keyId))
      throw new NetPayError('REQUEST.INVALID', 'keyId: 1-64 of A-Z a-z 0-9 _ . : -');
    return this.cis.registerSigned(r);
  }

  @Post('peers/:pseudonym/purchases')
  @HttpCode(201)
  // The answer carries the chain's seed: never kept at rest; a retry re-derives it.
  @Idempotent({ storeAnswer: false })
  @ApiOperation({
    summary: 'Buy coins (one chain), within the contribution policy; CIS.PURCHASE_CAPPED explains a refusal.',
  })
  async buy(
    @Param('pseudonym') p: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string,
  ): Promise<PurchaseAnswer> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    const f = parse('body', () => readObject(payload, ['coins', 'walletNonce']));
    await this.cis.authenticate(pseudonym, 'buy', call, payload);
    return this.cis.buy(pseudonym, { coins: int(f, 'coins'), walletNonce: str(f, 'walletNonce') }, key);
  }

  @Post('peers/:pseudonym/standing')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    summary: 'The peer’s contribution-policy figures: allowance, bought, supplied (and tokens).',
  })
  async standing(
    @Param('pseudonym') p: string,
    @Body() body: unknown,
  ): Promise<ReturnType<CisCore['standing']>> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    parse('body', () => readObject(payload, []));
    const state = await this.cis.authenticate(pseudonym, 'standing', call, payload);
    return this.cis.standing(state);
  }

  @Post('peers/:pseudonym/content')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({ summary: 'Announce content this peer shares (its endpoint, price and hash).' })
  async announce(@Param('pseudonym') p: string, @Body() body: unknown): Promise<IndexEntry> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    const f = parse('body', () => readObject(payload, ['contentId', 'title', 'price', 'sha256', 'endpoint']));
    await this.cis.authenticate(pseudonym, 'announce', call, payload);
    return this.cis.announce(pseudonym, {
      contentId: str(f, 'contentId'),
      title: str(f, 'title'),
      price: int(f, 'price'),
      sha256: str(f, 'sha256'),
      endpoint: str(f, 'endpoint'),
    });
  }

  @Post('peers/:pseudonym/content/:contentId/withdraw')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'Withdraw content from the index.' })
  async withdraw(
    @Param('pseudonym') p: string,
    @Param('contentId') contentId: string,
    @Body() body: unknown,
  ): Promise<{ withdrawn: boolean }> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    parse('body', () => readObject(payload, []));
    await this.cis.authenticate(pseudonym, 'withdraw', call, payload);
    return { withdrawn: await this.cis.withdraw(pseudonym, contentId, 'withdrawn') };
  }

  @Post('peers/:pseudonym/heartbeat')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'The peer is online (its content stays in the index).' })
  async heartbeat(@Param('pseudonym') p: string, @Body() body: unknown): Promise<{ ok: boolean }> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    parse('body', () => readObject(payload, []));
    await this.cis.authenticate(pseudonym, 'heartbeat', call, payload);
    return { ok: true };
  }

  @Post('peers/:pseudonym/redemptions')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({
    summary:
      'Redeem the index statements this S-peer accepted (uploads those the store lacks) and any double-spend proofs.',
  })
  async redeem(
    @Param('pseudonym') p: string,
    @Body() body: unknown,
    @Headers('idempotency-key') key: string,
  ): Promise<RedemptionAnswer> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    const f = parse('body', () => readObject(payload, ['statements', 'proofs']));
    const parsed = {
      statements: statements(f.statements, 'statements'),
      proofs: (Array.isArray(f.proofs) ? f.proofs : [])
        .slice(0, 1000)
        .map((x: unknown, i) => proof(x, `proofs.${i}`)),
    };
    await this.cis.authenticate(pseudonym, 'redeem', call, payload);
    return this.cis.redeem(pseudonym, parsed, key);
  }

  @Get('content')
  @ApiOperation({ summary: 'Search the index of content online peers offer.' })
  search(@Query('q') q?: string): IndexEntry[] {
    return this.cis.search(typeof q === 'string' ? q.slice(0, 200) : '');
  }

  @Post('double-spends')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({
    summary: 'Prove a double spend with two index statements the pseudonym signed; the pseudonym is revoked.',
  })
  async doubleSpend(@Body() body: unknown): ReturnType<CisCore['proveDoubleSpend']> {
    return this.cis.proveDoubleSpend(proof(body, 'proof'), 'spend');
  }

  @Get('revocations')
  @ApiOperation({ summary: 'Signed notices of revoked pseudonyms.' })
  revocations(): Promise<SignedRevocationNotice[]> {
    return this.cis.revocations();
  }

  @Get('keys')
  @ApiOperation({ summary: 'The CIS public key (peers pin it from configuration, never from here).' })
  keys(): { keyId: string; publicKey: string }[] {
    return this.cis.publicKeys();
  }
}
