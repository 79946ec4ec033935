import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { contentId as contentIdSchema, DOUBLE_SPEND_PROOF_SCHEMA } from '#contracts';
import { ApiRefusalCodes, Idempotent, NetPayError } from '#platform';
import {
  type DoubleSpendProof,
  type PseudonymCertificate,
  type SignedRevocationNotice,
  parseIndexStatement,
  parsePeerCall,
  P2P,
  parsePeerRegistration,
  ProtocolError,
  PSEUDONYM_PATTERN,
  readObject,
  type SignedIndexStatement,
} from '#protocol';
import {
  ALIVE,
  ApiCallRefusals,
  CIS_KEYS,
  ContentIdParam,
  DOUBLE_SPEND_PROVEN,
  INDEX_ENTRIES,
  INDEX_ENTRY,
  PEER_PURCHASE,
  PEER_STANDING,
  REDEEM_BODY,
  REDEMPTION,
  REGISTERED,
  REGISTRATION_BODY,
  REVOCATIONS,
  SignedCallBody,
  WITHDRAWN,
} from './cis.api.js';
import {
  CIS_ERROR,
  CisCore,
  type IndexEntry,
  type PurchaseAnswer,
  type RedemptionAnswer,
} from './cis.core.js';

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
/** A signed call's body without its signature envelope (`call`): what names the operation. */
function unsignedPayload(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const { call: _call, ...payload } = body as Record<string, unknown>;
  return payload;
}

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
  @ApiBody({
    schema: REGISTRATION_BODY,
    description: 'Signed by the key it registers (proof of possession).',
  })
  @ApiCreatedResponse({
    description: 'The pseudonym and its certificate (a retry: the same).',
    schema: REGISTERED,
  })
  @ApiRefusalCodes({
    401: [P2P.CALL_SIGNATURE_INVALID, P2P.CALL_STALE],
    403: [CIS_ERROR.IDENTITY_REVOKED],
    409: [CIS_ERROR.KEY_MISMATCH, CIS_ERROR.IDENTITY_REGISTERED, CIS_ERROR.BUSY],
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
  // The answer carries the chain's seed: never kept at rest; a retry re-derives it. The retry is
  // signed again (a call's nonce is used once), so the key's fingerprint is the payload alone.
  @Idempotent({ storeAnswer: false, fingerprint: unsignedPayload })
  @ApiOperation({
    summary: 'Buy coins (one chain), within the contribution policy; CIS.PURCHASE_CAPPED explains a refusal.',
  })
  @SignedCallBody({
    coins: { type: 'integer', minimum: 1 },
    walletNonce: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  })
  @ApiCreatedResponse({ description: 'One chain: its seed (W[n+1]) and touchstone.', schema: PEER_PURCHASE })
  @ApiCallRefusals({
    400: [CIS_ERROR.COINS_INVALID],
    403: [CIS_ERROR.PURCHASE_CAPPED, CIS_ERROR.TOKENS_INSUFFICIENT],
    409: [CIS_ERROR.BUSY],
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
  @SignedCallBody({})
  @ApiOkResponse({ description: 'The contribution-policy figures.', schema: PEER_STANDING })
  @ApiCallRefusals()
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
  @SignedCallBody({
    contentId: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    price: { type: 'integer', minimum: 1, description: 'coins' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    endpoint: { type: 'string', pattern: '^https?://', maxLength: 207 },
  })
  @ApiCreatedResponse({ description: 'The index entry.', schema: INDEX_ENTRY })
  @ApiCallRefusals()
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
  @ApiOperation({
    summary:
      'Withdraw content from the index. The signed payload names the content, so a signed call cannot be sent to another content’s path.',
  })
  @SignedCallBody({ contentId: contentIdSchema() })
  @ContentIdParam()
  @ApiOkResponse({ description: 'Whether it was listed.', schema: WITHDRAWN })
  @ApiCallRefusals()
  async withdraw(
    @Param('pseudonym') p: string,
    @Param('contentId') contentId: string,
    @Body() body: unknown,
  ): Promise<{ withdrawn: boolean }> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    const f = parse('body', () => readObject(payload, ['contentId']));
    // The path's content must be the one signed for: a captured call is not redirected.
    if (str(f, 'contentId') !== contentId)
      throw new NetPayError(
        'REQUEST.INVALID',
        'contentId: the signed payload names another content than the path',
      );
    await this.cis.authenticate(pseudonym, 'withdraw', call, payload);
    return { withdrawn: await this.cis.withdraw(pseudonym, contentId, 'withdrawn') };
  }

  @Post('peers/:pseudonym/heartbeat')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ summary: 'The peer is online (its content stays in the index).' })
  @SignedCallBody({})
  @ApiOkResponse({ description: 'Seen.', schema: ALIVE })
  @ApiCallRefusals()
  async heartbeat(
    @Param('pseudonym') p: string,
    @Body() body: unknown,
  ): Promise<{ ok: boolean; listed: string[] }> {
    const pseudonym = pseudonymParam(p);
    const { call, payload } = signedBody(body);
    parse('body', () => readObject(payload, []));
    await this.cis.authenticate(pseudonym, 'heartbeat', call, payload);
    return { ok: true, listed: this.cis.listedBy(pseudonym) };
  }

  @Post('peers/:pseudonym/redemptions')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({
    summary:
      'Redeem the index statements this S-peer accepted (uploads those the store lacks) and any double-spend proofs.',
  })
  @SignedCallBody(REDEEM_BODY)
  @ApiCreatedResponse({
    description: 'What was paid and what was refused (each with its code).',
    schema: REDEMPTION,
  })
  @ApiCallRefusals({ 409: [CIS_ERROR.BUSY] })
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
  @ApiQuery({ name: 'q', required: false, schema: { type: 'string', maxLength: 200 } })
  @ApiOkResponse({ description: 'Matching entries of online peers.', schema: INDEX_ENTRIES })
  search(@Query('q') q?: string): IndexEntry[] {
    return this.cis.search(typeof q === 'string' ? q.slice(0, 200) : '');
  }

  @Post('double-spends')
  @HttpCode(201)
  @Idempotent()
  @ApiOperation({
    summary: 'Prove a double spend with two index statements the pseudonym signed; the pseudonym is revoked.',
  })
  @ApiBody({ schema: DOUBLE_SPEND_PROOF_SCHEMA })
  @ApiCreatedResponse({
    description: 'The pseudonym is revoked: its signed notice.',
    schema: DOUBLE_SPEND_PROVEN,
  })
  @ApiRefusalCodes({ 422: [P2P.PROOF_INVALID] })
  async doubleSpend(@Body() body: unknown): ReturnType<CisCore['proveDoubleSpend']> {
    return this.cis.proveDoubleSpend(proof(body, 'proof'), 'spend');
  }

  @Get('revocations')
  @ApiOperation({ summary: 'Signed notices of revoked pseudonyms.' })
  @ApiOkResponse({ description: 'Signed notices, oldest first.', schema: REVOCATIONS })
  revocations(): Promise<SignedRevocationNotice[]> {
    return this.cis.revocations();
  }

  @Get('keys')
  @ApiOperation({ summary: 'The CIS public key (peers pin it from configuration, never from here).' })
  @ApiOkResponse({ description: 'The CIS key.', schema: CIS_KEYS })
  keys(): { keyId: string; publicKey: string }[] {
    return this.cis.publicKeys();
  }
}
