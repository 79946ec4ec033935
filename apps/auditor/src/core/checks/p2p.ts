import type { RecordedEvent } from '#event-store';
import { type DoubleSpendPolicy, isHolderSpend, P2P_CATEGORIES } from '#events';
import {
  checkDoubleSpendProof,
  checkPseudonymCertificate,
  parseIndexStatement,
  parsePseudonymCertificate,
  parseSignedRevocationNotice,
  parseTouchstone,
  type PseudonymCertificate,
  pseudonymOfChain,
  type PublicKeyRecord,
  type SignedIndexStatement,
  statementDigest,
  statementEnd,
  type Touchstone,
  verifyRevocationNotice,
  verifyTouchstone,
} from '#protocol';
import type { Reporter } from '../findings.js';
import { RULES } from '../rules.js';

/** The categories P2P-NetPay writes (`libs/events/src/p2p.events.ts`). */
export const P2P_AUDITED: ReadonlySet<string> = new Set(P2P_CATEGORIES);

interface Spend {
  readonly statement: SignedIndexStatement;
  readonly digest: string;
  readonly valid: boolean;
}

interface PeerRecord {
  certificate?: PseudonymCertificate;
  revoked: boolean;
  sales: { at: number; coins: number }[];
  supplied: number;
  /** Nominal mode, by token currency: granted, earned at redemption, spent on coins. */
  tokens: Map<string, { granted: number; earned: number; spent: number }>;
}

interface P2PChain {
  readonly touchstone: Touchstone;
  readonly spends: Spend[];
  proven: boolean;
  covered: boolean;
  /** What was paid for the chain (tokens or minor units), and what the CIS paid out for it. */
  readonly sold: number;
  redeemed: number;
  readonly nominal: boolean;
}

/** What the operator pins of the CIS's settings; unset, the auditor takes what each event recorded. */
export interface P2PPolicy {
  readonly base?: number;
  readonly multiple?: number;
  /** Nominal mode: the tokens every grant must be. */
  readonly nominalGrant?: number;
}

/** Nominal mode, per token currency: granted = held by peers + in coins not yet redeemed. */
export interface P2PTokenFigures {
  granted: number;
  spent: number;
  redeemed: number;
  /** Held by peers: granted + redeemed − spent. */
  held: number;
  /** Spent on coins and not yet redeemed by S-peers: spent − redeemed. */
  inCoins: number;
}

export interface P2PFigures {
  events: number;
  peers: number;
  coinsSold: number;
  coinsSpent: number;
  coinsRedeemed: number;
  doubleSpendsProven: number;
  pseudonymsRevoked: number;
  sold: Record<string, number>;
  redeemed: Record<string, number>;
  tokens: Record<string, P2PTokenFigures>;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isSafeInteger(v) ? v : NaN);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * The auditor's P2P-NetPay rules (R6): every certificate, touchstone, index statement, proof and
 * revocation notice re-verified from the log; the contribution policy recomputed; every coin
 * redeemed traced to one valid recorded spend to that payee, paid once, and never the later of
 * two overlapping statements under the `first-recorded` policy; a double spend the log shows is
 * proven and its pseudonym revoked.
 */
export class P2PChecks {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly chains = new Map<string, P2PChain>();
  private readonly redeemed = new Set<string>();
  private readonly proven = new Set<string>();
  private readonly revoked = new Set<string>();
  readonly figures: P2PFigures = {
    events: 0,
    peers: 0,
    coinsSold: 0,
    coinsSpent: 0,
    coinsRedeemed: 0,
    doubleSpendsProven: 0,
    pseudonymsRevoked: 0,
    sold: {},
    redeemed: {},
    tokens: {},
  };

  constructor(
    /** The CIS public keys (configuration); without them, CIS signatures are not checked. */
    private readonly cisKeys: readonly PublicKeyRecord[],
    private readonly policy: P2PPolicy = {},
  ) {}

  onEvent(recorded: RecordedEvent, report: Reporter): void {
    this.figures.events += 1;
    const category = recorded.streamName.slice(0, recorded.streamName.indexOf('-'));
    const actor = str((recorded.metadata as { actor?: unknown } | undefined)?.actor);
    const d = (recorded.data ?? {}) as Record<string, unknown>;
    try {
      this.writer(recorded.type, category, actor, d, report);
      switch (recorded.type) {
        case 'PeerRegistered':
          return this.onRegistered(recorded, d, report);
        case 'PeerIdentityBound':
          return this.onIdentityBound(recorded, d, report);
        case 'PeerTokensGranted':
          return this.onGranted(d, report);
        case 'PeerCoinsSold':
          return this.onSold(d, report);
        case 'ContentAnnounced':
          if (this.revoked.has(str(d.pseudonym)))
            report.violation(RULES.P2P_REVOKED_PEER_ACTS, `revoked ${str(d.pseudonym)} announced content`);
          return;
        case 'ContentWithdrawn':
          return;
        case 'CoinsSpentAtPeer':
          return this.onSpent(d, report);
        case 'DoubleSpendProven':
          return this.onProven(d, report);
        case 'PseudonymRevoked':
          return this.onRevoked(d, report);
        case 'PeerRedeemed':
          return this.onRedeemed(d, report);
        default:
          report.warning('W.UNKNOWN_EVENT_TYPE', `${recorded.type} is not a P2P-NetPay event`);
      }
    } catch (error) {
      report.violation(RULES.MALFORMED_EVENT, `${recorded.type}: ${(error as Error).message}`);
    }
  }

  /** End of replay: double spends the log shows but nobody proved, proofs without a revocation. */
  finish(report: Reporter): void {
    for (const [chainId, chain] of this.chains) {
      const valid = chain.spends.filter((s) => s.valid);
      const overlapping = valid.some((a, i) =>
        valid.slice(i + 1).some((b) => overlaps(a.statement, b.statement)),
      );
      if (overlapping && !chain.proven)
        report.violation(
          RULES.P2P_DOUBLE_SPEND_UNPROVEN,
          `chain ${chainId}: overlapping statements, no proof recorded`,
          chainId,
        );
    }
    for (const pseudonym of this.proven)
      if (!this.revoked.has(pseudonym))
        report.violation(RULES.P2P_NOT_REVOKED, `${pseudonym} double spent (proven) but was never revoked`);
    this.finishTokens(report);
    for (const [currency, amount] of Object.entries(this.figures.redeemed)) {
      const sold = this.figures.sold[currency] ?? 0;
      const covered = [...this.chains.values()].some((c) => c.covered && c.touchstone.currency === currency);
      if (amount > sold && !covered)
        report.violation(
          RULES.P2P_PAID_MORE_THAN_SOLD,
          `${currency}: ${amount} redeemed to peers, ${sold} sold`,
        );
    }
  }

  private writer(
    type: string,
    category: string,
    actor: string,
    d: Record<string, unknown>,
    report: Reporter,
  ): void {
    const ok =
      type === 'CoinsSpentAtPeer'
        ? actor === 'cis' || (actor === `peer:${str(d.payee)}` && d.via === 'online')
        : actor === 'cis';
    if (!ok) report.violation(RULES.WRITER_NOT_ALLOWED, `${type} in ${category} written by "${actor}"`);
  }

  private peer(pseudonym: string): PeerRecord {
    let p = this.peers.get(pseudonym);
    if (!p) {
      p = { revoked: false, sales: [], supplied: 0, tokens: new Map() };
      this.peers.set(pseudonym, p);
    }
    return p;
  }

  private onRegistered(recorded: RecordedEvent, d: Record<string, unknown>, report: Reporter): void {
    const cert = parsePseudonymCertificate(d.certificate);
    if (recorded.streamName !== `peer-${cert.pseudonym}` || cert.pseudonym !== d.pseudonym)
      report.violation(
        RULES.P2P_CERTIFICATE_INVALID,
        `certificate of ${cert.pseudonym} recorded in ${recorded.streamName}`,
      );
    if (this.cisKeys.length > 0) {
      const check = checkPseudonymCertificate(cert, this.cisKeys, new Date(cert.notBefore));
      if (!check.ok) report.violation(RULES.P2P_CERTIFICATE_INVALID, `${cert.pseudonym}: ${check.message}`);
    }
    if (typeof d.identitySealed !== 'string' || d.identitySealed.length === 0)
      report.violation(RULES.P2P_CERTIFICATE_INVALID, `${cert.pseudonym}: the identity is not sealed`);
    const p = this.peer(cert.pseudonym);
    if (!p.certificate) this.figures.peers += 1;
    p.certificate = cert;
  }

  /** One binding per identity stream, naming a pseudonym: what keeps one identity to one pseudonym. */
  private onIdentityBound(recorded: RecordedEvent, d: Record<string, unknown>, report: Reporter): void {
    const tag = str(d.identityTag);
    if (recorded.streamName !== `peer-id_${tag}` || !/^ps_[0-9a-f]{16}$/.test(str(d.pseudonym)))
      report.violation(
        RULES.P2P_CERTIFICATE_INVALID,
        `identity binding of ${str(d.pseudonym)} recorded in ${recorded.streamName}`,
      );
    else if (recorded.revision > 0)
      report.violation(
        RULES.P2P_CERTIFICATE_INVALID,
        `${recorded.streamName}: a second binding (${str(d.pseudonym)}) for one identity`,
      );
  }

  private tokensOf(p: PeerRecord, currency: string): { granted: number; earned: number; spent: number } {
    let t = p.tokens.get(currency);
    if (!t) {
      t = { granted: 0, earned: 0, spent: 0 };
      p.tokens.set(currency, t);
    }
    return t;
  }

  private tokenFigures(currency: string): P2PTokenFigures {
    return (this.figures.tokens[currency] ??= { granted: 0, spent: 0, redeemed: 0, held: 0, inCoins: 0 });
  }

  /** Nominal mode: a grant is made once per peer and currency, to a registered, non-revoked peer. */
  private onGranted(d: Record<string, unknown>, report: Reporter): void {
    const pseudonym = str(d.pseudonym);
    const currency = str(d.currency);
    const tokens = num(d.tokens);
    const p = this.peer(pseudonym);
    const t = this.tokensOf(p, currency);
    if (this.policy.nominalGrant !== undefined && tokens !== this.policy.nominalGrant)
      report.violation(
        RULES.P2P_TOKENS_GRANT_INVALID,
        `${pseudonym}: granted ${String(d.tokens)} ${currency}, the CIS grants ${this.policy.nominalGrant}`,
      );
    if (!p.certificate || p.revoked || !(tokens > 0) || currency === '' || t.granted > 0) {
      report.violation(
        RULES.P2P_TOKENS_GRANT_INVALID,
        `${pseudonym}: grant of ${String(d.tokens)} ${currency} ${!p.certificate ? 'to an unregistered peer' : p.revoked ? 'to a revoked peer' : t.granted > 0 ? `on top of ${t.granted} granted before` : 'is not a positive whole number'}`,
      );
      if (!(tokens > 0) || t.granted > 0) return; // counted once: the overdraft rule then sees the truth
    }
    t.granted += tokens;
    this.tokenFigures(currency).granted += tokens;
  }

  /** End of replay, nominal mode: tokens come from grants only; a chain pays out no more than it cost. */
  private finishTokens(report: Reporter): void {
    for (const chain of this.chains.values()) {
      if (!chain.nominal || chain.covered || chain.redeemed <= chain.sold) continue;
      report.violation(
        RULES.P2P_TOKENS_NOT_CONSERVED,
        `chain ${chain.touchstone.chainId}: ${chain.redeemed} ${chain.touchstone.currency} redeemed, ${chain.sold} spent on it`,
        chain.touchstone.chainId,
      );
    }
    // Figures only: with every sale within its balance and no chain paying out more than it cost,
    // held ≥ 0 and in coins ≥ 0, so granted = held + in coins says no token came from nowhere.
    for (const f of Object.values(this.figures.tokens)) {
      f.held = f.granted + f.redeemed - f.spent;
      f.inCoins = f.spent - f.redeemed;
    }
  }

  private onSold(d: Record<string, unknown>, report: Reporter): void {
    const pseudonym = str(d.pseudonym);
    const t = parseTouchstone(d.touchstone);
    const coins = num(d.coins);
    const p = this.peer(pseudonym);
    if (!p.certificate) report.violation(RULES.P2P_UNKNOWN_PEER, `coins sold to unregistered ${pseudonym}`);
    if (p.revoked) report.violation(RULES.P2P_REVOKED_PEER_ACTS, `coins sold to revoked ${pseudonym}`);
    if (
      pseudonymOfChain(t.chainId) !== pseudonym ||
      t.length !== coins ||
      num(d.amount) !== coins * t.coinValue
    )
      report.violation(
        RULES.P2P_TOUCHSTONE_INVALID,
        `sale of ${t.chainId}: chain, length or amount does not match`,
        t.chainId,
      );
    if (this.cisKeys.length > 0 && !verifyTouchstone(t, this.cisKeys).ok)
      report.violation(
        RULES.P2P_TOUCHSTONE_INVALID,
        `touchstone of ${t.chainId} does not verify with the CIS keys`,
        t.chainId,
      );
    // The contribution policy, recomputed from the log.
    const policy = (d.policy ?? {}) as Record<string, unknown>;
    const base = this.policy.base ?? num(policy.base);
    const multiple = this.policy.multiple ?? num(policy.multiple);
    const periodStart = Date.parse(str(policy.periodStart));
    const boughtBefore = p.sales.filter((s) => s.at >= periodStart).reduce((sum, s) => sum + s.coins, 0);
    const allowance = base + multiple * p.supplied;
    if (
      num(policy.supplied) !== p.supplied ||
      num(policy.boughtBefore) !== boughtBefore ||
      num(policy.allowance) !== allowance
    )
      report.violation(
        RULES.P2P_POLICY_BROKEN,
        `${pseudonym}: recorded policy ${JSON.stringify(policy)}, the log gives supplied ${p.supplied}, bought ${boughtBefore}, allowance ${allowance}`,
      );
    if (boughtBefore + coins > allowance)
      report.violation(
        RULES.P2P_POLICY_BROKEN,
        `${pseudonym} bought ${boughtBefore} + ${coins} coins, allowance ${allowance}`,
      );
    p.sales.push({ at: Date.parse(str(d.at)), coins });
    const nominal = d.mode === 'nominal';
    if (nominal) {
      // No peer spends more tokens than it was granted and earned before this sale.
      const tokens = this.tokensOf(p, t.currency);
      const balance = tokens.granted + tokens.earned - tokens.spent;
      if (num(d.amount) > balance)
        report.violation(
          RULES.P2P_TOKENS_OVERDRAWN,
          `${pseudonym} spent ${String(d.amount)} ${t.currency} on ${t.chainId} holding ${balance} (granted ${tokens.granted} + earned ${tokens.earned} − spent ${tokens.spent})`,
          t.chainId,
        );
      tokens.spent += num(d.amount);
      this.tokenFigures(t.currency).spent += num(d.amount);
    }
    this.chains.set(t.chainId, {
      touchstone: t,
      spends: [],
      proven: false,
      covered: false,
      sold: num(d.amount),
      redeemed: 0,
      nominal,
    });
    this.figures.coinsSold += coins;
    this.figures.sold[t.currency] = (this.figures.sold[t.currency] ?? 0) + num(d.amount);
  }

  private onSpent(d: Record<string, unknown>, report: Reporter): void {
    const s = parseIndexStatement(d.statement);
    const chain = this.chains.get(s.chainId);
    const holder = this.peers.get(s.pseudonym)?.certificate;
    const digest = statementDigest(s);
    let valid = true;
    if (!chain || !holder) {
      report.violation(RULES.P2P_SPEND_UNVERIFIED, `spend on unknown chain ${s.chainId}`, s.chainId);
      valid = false;
    } else if (
      // The holder's own spend by the rule the S-peer and the CIS apply (its pseudonym and key id):
      // a statement under another key id proves no spend, and overlapping with one is no double spend.
      pseudonymOfChain(s.chainId) !== s.pseudonym ||
      !isHolderSpend(
        { statement: s, digest: str(d.digest), payee: str(d.payee) },
        holder,
        chain.touchstone,
      ) ||
      s.payee === s.pseudonym
    ) {
      report.violation(
        RULES.P2P_SPEND_UNVERIFIED,
        s.payee === s.pseudonym
          ? `statement ${digest.slice(0, 12)} of ${s.chainId} pays its own holder`
          : `statement ${digest.slice(0, 12)} of ${s.chainId} does not verify`,
        s.chainId,
      );
      valid = false;
    }
    if (chain && !chain.spends.some((x) => x.digest === digest)) {
      chain.spends.push({ statement: s, digest, valid });
      if (valid) this.figures.coinsSpent += s.count;
    }
  }

  private onProven(d: Record<string, unknown>, report: Reporter): void {
    const first = parseIndexStatement(d.first);
    const second = parseIndexStatement(d.second);
    const pseudonym = str(d.pseudonym);
    const holder = this.peers.get(pseudonym)?.certificate;
    const check = holder ? checkDoubleSpendProof({ first, second }, holder.publicKey) : undefined;
    if (!check?.ok || check.pseudonym !== pseudonym) {
      report.violation(
        RULES.P2P_PROOF_INVALID,
        `double-spend proof against ${pseudonym} does not hold`,
        first.chainId,
      );
      return;
    }
    const chain = this.chains.get(check.chainId);
    if (chain) {
      chain.proven = true;
      if ((d.policy as DoubleSpendPolicy) === 'cover') chain.covered = true;
    }
    if (!this.proven.has(pseudonym)) this.figures.doubleSpendsProven += 1;
    this.proven.add(pseudonym);
  }

  private onRevoked(d: Record<string, unknown>, report: Reporter): void {
    const pseudonym = str(d.pseudonym);
    const notice = parseSignedRevocationNotice(d.notice);
    if (notice.kind !== 'pseudonym' || notice.id !== pseudonym)
      report.violation(
        RULES.P2P_REVOCATION_INVALID,
        `notice names ${notice.kind} ${notice.id}, not ${pseudonym}`,
      );
    if (this.cisKeys.length > 0 && !verifyRevocationNotice(notice, this.cisKeys).ok)
      report.violation(RULES.P2P_REVOCATION_INVALID, `revocation of ${pseudonym} is not signed by the CIS`);
    if (!this.proven.has(pseudonym))
      report.violation(RULES.P2P_REVOCATION_INVALID, `${pseudonym} revoked without a recorded proof`);
    this.peer(pseudonym).revoked = true;
    if (!this.revoked.has(pseudonym)) this.figures.pseudonymsRevoked += 1;
    this.revoked.add(pseudonym);
  }

  private onRedeemed(d: Record<string, unknown>, report: Reporter): void {
    const payee = str(d.pseudonym);
    const items = Array.isArray(d.items) ? (d.items as Record<string, unknown>[]) : [];
    let coins = 0;
    let value = 0;
    for (const item of items) {
      const digest = str(item.digest);
      const chain = this.chains.get(str(item.chainId));
      const spend = chain?.spends.find((s) => s.digest === digest);
      if (chain && chain.touchstone.currency !== str(d.currency))
        report.violation(
          RULES.P2P_REDEEMED_AMOUNT_WRONG,
          `${payee} paid in ${str(d.currency)} for a chain sold in ${chain.touchstone.currency}`,
          chain.touchstone.chainId,
        );
      if (!chain || !spend || !spend.valid || spend.statement.payee !== payee) {
        report.violation(
          RULES.P2P_REDEEMED_UNSPENT,
          `${payee} paid for ${digest.slice(0, 12)}: no valid recorded spend to it`,
          str(item.chainId),
        );
        continue;
      }
      if (this.redeemed.has(digest))
        report.violation(
          RULES.P2P_REDEEMED_TWICE,
          `${digest.slice(0, 12)} paid twice`,
          chain.touchstone.chainId,
        );
      this.redeemed.add(digest);
      const earlier = chain.spends
        .slice(0, chain.spends.indexOf(spend))
        .find((s) => s.valid && overlaps(s.statement, spend.statement));
      if (earlier && !chain.covered)
        report.violation(
          RULES.P2P_PAID_DOUBLE_SPENT,
          `${payee} paid for positions another S-peer's earlier statement holds`,
          chain.touchstone.chainId,
        );
      if (
        num(item.coins) !== spend.statement.count ||
        num(item.fromIndex) !== spend.statement.fromIndex ||
        num(item.toIndex) !== statementEnd(spend.statement)
      )
        report.violation(
          RULES.P2P_REDEEMED_AMOUNT_WRONG,
          `item ${digest.slice(0, 12)} misstates its coins`,
          chain.touchstone.chainId,
        );
      coins += spend.statement.count;
      value += spend.statement.count * chain.touchstone.coinValue;
      chain.redeemed += spend.statement.count * chain.touchstone.coinValue;
    }
    if (num(d.coins) !== coins || num(d.amount) !== value)
      report.violation(
        RULES.P2P_REDEEMED_AMOUNT_WRONG,
        `${payee} redeemed ${String(d.coins)} coins for ${String(d.amount)}; the items give ${coins} for ${value}`,
      );
    const p = this.peer(payee);
    p.supplied += coins;
    if (d.mode === 'nominal') {
      this.tokensOf(p, str(d.currency)).earned += value;
      this.tokenFigures(str(d.currency)).redeemed += value;
    }
    this.figures.coinsRedeemed += coins;
    const currency = str(d.currency);
    this.figures.redeemed[currency] = (this.figures.redeemed[currency] ?? 0) + value;
  }
}

function overlaps(a: SignedIndexStatement, b: SignedIndexStatement): boolean {
  return (
    a.chainId === b.chainId &&
    Math.max(a.fromIndex, b.fromIndex) <= Math.min(statementEnd(a), statementEnd(b))
  );
}
