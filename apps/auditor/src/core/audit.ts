import {
  BROKER_CHAIN_EVENT_TYPES,
  categoryOf,
  checkVendorSignedChainEvent,
  idOf,
  issuedWithUnknownKey,
  judgeChainEvent,
  redemptionLedgerStream,
  VENDOR_SIGNED_CHAIN_EVENT_TYPES,
} from '#events';
import type { RecordedEvent } from '#event-store';
import type { PublicKeyRecord } from '#protocol';
import { type CheckContext } from './checks/context.js';
import { checkConservation, reissuedValue } from './checks/conservation.js';
import { BANK_CATEGORY, checkAgainstBank, onBankEvent } from './checks/bank.js';
import { checkOperatorBalances, OPERATOR_CATEGORY, onOperatorEvent } from './checks/operator.js';
import { applyEvent } from './checks/dispatch.js';
import { KEY_LIST_CATEGORY, onKeyList } from './checks/key-list.js';
import { checkWriter } from './checks/writer.js';
import { P2P_AUDITED, P2PChecks, type P2PPolicy } from './checks/p2p.js';
import { DEFAULT_SEAL_GRACE_MS, SealCoverage } from './checks/liveness.js';
import { checkRedemptionLedger } from './checks/redemption-ledger.js';
import { scanForIdentity, VENDOR_VISIBLE_CATEGORIES } from './checks/privacy.js';
import { Figures } from './figures.js';
import { END_OF_REPLAY, Findings, type Reporter } from './findings.js';
import { Ledger } from './ledger/ledger.js';
import { chainIdOf, isChainEvent } from './parse/parse-chain-events.js';
import { parseRecorded, type AuditedEvent } from './parse/parse-event.js';
import { buildReport, type AuditReport } from './report.js';
import { RULES, WARNINGS } from './rules.js';

export interface AuditOptions {
  /** Broker public keys the touchstones must verify with (trusted: from configuration, not the log). */
  readonly brokerKeys?: readonly PublicKeyRecord[];
  /** Root keys that sign the broker's key lists (configuration): the lists' keys are then trusted too. */
  readonly brokerRootKeys?: readonly PublicKeyRecord[];
  /**
   * The redemption worker's public keys (configuration): its verdicts and reservations must carry
   * its signature. Without them, those signatures are not checked.
   */
  readonly redemptionKeys?: readonly PublicKeyRecord[];
  /** Log position up to which the worker's records may be unsigned (written before it signed them). */
  readonly redemptionLegacyUntil?: bigint;
  /** Audit one chain: other chains' streams are passed over, only its findings are kept. */
  readonly chainId?: string;
  /** The replay starts after this position; earlier history comes only through `prime`. */
  readonly from?: bigint;
  /** Re-run every hash through the protocol library as well as the auditor's own step. Default true. */
  readonly crossCheck?: boolean;
  /** Findings kept in full per kind (counts stay exact). Default 10,000. */
  readonly maxFindings?: number;
  /** IANA zone of the redemption cut-off and business days (REDEMPTION_TIME_ZONE). Default Pacific/Auckland. */
  readonly timeZone?: string;
  /** How long after a spend a night may still miss it (R3.SPENT_NOT_SEALED). Default 10 minutes. */
  readonly sealGraceMs?: number;
  /** The P2P-NetPay CIS public keys (configuration); without them CIS signatures are not checked. */
  readonly cisKeys?: readonly PublicKeyRecord[];
  /** The CIS's contribution policy and nominal grant, pinned by the operator (else as each event recorded them). */
  readonly cisPolicy?: P2PPolicy;
}

/** The redemption worker's default zone (REDEMPTION_TIME_ZONE). */
export const DEFAULT_TIME_ZONE = 'Pacific/Auckland';

/**
 * The auditor's core: feed it recorded events in log order, then `finish`.
 * Pure (no I/O, no clock): every chain is rebuilt from its own events and
 * every signature and hash re-verified; findings name rule, position, stream.
 */
export class Audit {
  private readonly ledger: Ledger;
  private readonly figures = new Figures();
  /** History folded by `prime` is not counted. */
  private readonly primedFigures = new Figures();
  private readonly findings: Findings;
  private readonly revisions = new Map<string, number>();
  private readonly warnedTypes = new Set<string>();
  private lastPosition: bigint | undefined;
  private report: AuditReport | undefined;
  private readonly coverage: SealCoverage;
  /** P2P-NetPay (R6): its own family of events and rules. */
  readonly p2p: P2PChecks;

  constructor(private readonly options: AuditOptions = {}) {
    this.ledger = new Ledger(options.brokerKeys ?? [], options.redemptionKeys ?? []);
    this.ledger.redemptionLegacyUntil = options.redemptionLegacyUntil ?? -1n;
    this.coverage = new SealCoverage(
      options.timeZone ?? DEFAULT_TIME_ZONE,
      options.sealGraceMs ?? DEFAULT_SEAL_GRACE_MS,
    );
    this.findings = new Findings(options.maxFindings ?? 10_000, options.chainId);
    this.p2p = new P2PChecks(options.cisKeys ?? [], options.cisPolicy ?? {});
  }

  /** From the start of the log, every chain: totals can be compared. */
  get complete(): boolean {
    return this.options.from === undefined && this.options.chainId === undefined;
  }

  /** Checks one event (in log order) and reports what it breaks. */
  feed(recorded: RecordedEvent): void {
    this.process(recorded, false);
  }

  /** Folds an event from before `from` into the state, without checking or counting it. */
  prime(recorded: RecordedEvent): void {
    this.process(recorded, true);
  }

  /** Whether `--chain` passes over this stream. */
  skips(streamName: string): boolean {
    return (
      this.options.chainId !== undefined &&
      categoryOf(streamName) === 'chain' &&
      streamName !== `chain-${this.options.chainId}`
    );
  }

  /** End-of-replay checks (R4 totals) and the report. Idempotent. */
  finish(): AuditReport {
    if (this.report !== undefined) return this.report;
    this.findings.muted = false;
    const end = this.findings.reporter(END_OF_REPLAY);
    if (this.options.from !== undefined) {
      end.warning(
        WARNINGS.PARTIAL_AUDIT,
        `replay started after position ${this.options.from}: figures cover only what followed; totals were not compared`,
        this.options.chainId,
      );
    } else if (this.options.chainId !== undefined) {
      end.warning(
        WARNINGS.PARTIAL_AUDIT,
        `one chain audited: totals were not compared`,
        this.options.chainId,
      );
    }
    for (const [currency, value] of reissuedValue(this.ledger, this.options.from)) {
      this.figures.moneyIn(currency).valueReissued += value;
    }
    checkConservation(this.ledger, this.figures, {
      complete: this.complete,
      reporterAt: (at) => this.findings.reporter(at),
    });
    if (this.complete) {
      checkRedemptionLedger(this.ledger, (chainId) =>
        this.findings.reporter({ ...END_OF_REPLAY, stream: redemptionLedgerStream(chainId) }),
      );
      checkAgainstBank(this.ledger, (at) => this.findings.reporter(at));
      checkOperatorBalances(this.ledger, this.findings.reporter(END_OF_REPLAY));
      this.coverage.check((at) => this.findings.reporter(at));
      this.p2p.finish(end);
    }
    this.report = buildReport(this.ledger, this.figures, this.findings, this.options);
    return this.report;
  }

  private process(recorded: RecordedEvent, priming: boolean): void {
    const { streamName: stream, position, revision, type } = recorded;
    const category = categoryOf(stream);
    const streamChainId = category === 'chain' ? idOf(stream) : undefined;
    if (this.skips(stream)) {
      if (!priming) this.figures.skipped += 1;
      return;
    }
    this.findings.muted = priming;
    const figures = priming ? this.primedFigures : this.figures;
    const report = this.findings.reporter({
      position,
      stream,
      revision,
      eventType: type,
      eventId: recorded.id,
    });
    if (!priming) figures.countEvent(type, stream, category, position);
    this.checkOrder(report, recorded, priming, streamChainId);
    const ctx: CheckContext = {
      ledger: this.ledger,
      figures,
      report,
      at: { position, stream, revision, type, eventId: recorded.id, recordedAt: recorded.recordedAt },
      crossCheck: this.options.crossCheck ?? true,
      keepTimeline: this.options.chainId !== undefined,
      partial: this.options.from !== undefined,
    };
    if (category === BANK_CATEGORY) return onBankEvent(ctx, recorded);
    if (category === OPERATOR_CATEGORY) return onOperatorEvent(ctx, recorded);
    if (category === KEY_LIST_CATEGORY) return onKeyList(ctx, recorded, this.options.brokerRootKeys ?? []);
    if (P2P_AUDITED.has(category)) return this.p2p.onEvent(recorded, report);
    if (category === 'chain' && this.forgedBrokerEvent(recorded, report, streamChainId)) return;
    if (category === 'chain' && this.forgedVendorEvent(recorded, report, streamChainId)) return;
    const event = this.parse(recorded, report, streamChainId);
    if (event === undefined) return;
    const belongs = isChainEvent(event) ? `chain-${chainIdOf(event)}` : undefined;
    if ((belongs !== undefined && belongs !== stream) || (belongs === undefined && category === 'chain')) {
      report.violation(
        RULES.EVENT_IN_WRONG_STREAM,
        `${type} belongs in ${belongs ?? 'a broker stream'}, not ${stream}: not applied`,
        streamChainId ?? (belongs ? idOf(belongs) : undefined),
      );
      return;
    }
    if (!priming && VENDOR_VISIBLE_CATEGORIES.has(category)) {
      scanForIdentity(ctx, recorded.data, recorded.metadata, streamChainId);
    }
    checkWriter(ctx, event, (recorded.metadata as { actor?: unknown } | undefined)?.actor);
    applyEvent(ctx, event);
    if (event.type === 'CoinsSpent')
      this.coverage.onSpend(event.data, {
        position,
        stream,
        revision,
        eventType: type,
        eventId: recorded.id,
      });
    else if (event.type === 'RedemptionBatchSealed') this.coverage.onSeal(event.data, position);
  }

  /**
   * R0: a broker-typed chain event (issue, checkout, withdrawal, revocation, close) is the
   * broker's only with its signature over (stream, revision, type, data) by a broker key known at
   * this point (pinned, or from a root-signed key list): any vendor may append to a chain stream.
   * One that does not verify is reported with the writer it declares and not applied, as every
   * reader ignores it.
   */
  private forgedBrokerEvent(recorded: RecordedEvent, report: Reporter, chainId: string | undefined): boolean {
    if (!BROKER_CHAIN_EVENT_TYPES.has(recorded.type)) return false;
    const verdict = judgeChainEvent(recorded.streamName, recorded, this.ledger.brokerKeys);
    if (verdict === 'vendor' || verdict === 'valid') return false;
    const data = recorded.data as { brokerSignature?: { keyId?: unknown } } | undefined;
    const keyId = data?.brokerSignature?.keyId;
    const unknownKey = typeof keyId === 'string' && !this.ledger.brokerKeys.has(keyId);
    // An issue signed with the touchstone's own key the auditor does not know: R1.UNKNOWN_BROKER_KEY
    // says it once, on the touchstone, and nothing it holds is believed.
    if (issuedWithUnknownKey(recorded, this.ledger.brokerKeys)) return false;
    const actor = (recorded.metadata as { actor?: unknown } | undefined)?.actor;
    const how =
      verdict === 'unsigned'
        ? 'without a broker signature'
        : unknownKey
          ? `signed with ${JSON.stringify(keyId)}, no broker key known here`
          : 'with a broker signature that does not verify';
    report.violation(
      RULES.FORGED_BROKER_EVENT,
      `${recorded.type} ${how}, written as ${typeof actor === 'string' ? JSON.stringify(actor) : 'nobody'}: not applied`,
      chainId,
    );
    return true;
  }

  /**
   * R2: a hand-off is believed only with the giving vendor's broker-signed key certificate and the
   * hand-off certificate's signature by that key; a claim only when its claimant signed it
   * (`checkVendorSignedChainEvent`, what every fold admits). One that does not verify is reported
   * and not applied, as every fold ignores it: the holder does not move.
   */
  private forgedVendorEvent(recorded: RecordedEvent, report: Reporter, chainId: string | undefined): boolean {
    if (!VENDOR_SIGNED_CHAIN_EVENT_TYPES.has(recorded.type)) return false;
    const check = checkVendorSignedChainEvent(recorded.streamName, recorded, this.ledger.brokerKeys);
    if (check.verdict === 'valid') return false;
    const rule = recorded.type === 'IndexHandedOff' ? RULES.BAD_HANDOFF_SIGNATURE : RULES.BAD_CLAIM_SIGNATURE;
    const how = check.verdict === 'unsigned' ? 'unsigned' : 'not verified';
    report.violation(rule, `${recorded.type} ${how}: ${check.message ?? ''}: not applied`, chainId);
    return true;
  }

  /** The event in its current version, or a finding: a warning when unknown, a violation when malformed. */
  private parse(
    recorded: RecordedEvent,
    report: Reporter,
    chainId: string | undefined,
  ): AuditedEvent | undefined {
    const parsed = parseRecorded(recorded);
    if (parsed.kind === 'event') return parsed.event;
    if (parsed.kind === 'malformed') {
      report.violation(RULES.MALFORMED_EVENT, `${recorded.type}: ${parsed.message}`, chainId);
      return undefined;
    }
    const key = parsed.kind === 'unknown-type' ? recorded.type : `${recorded.type}@${recorded.version}`;
    if (!this.warnedTypes.has(key)) {
      this.warnedTypes.add(key);
      const code =
        parsed.kind === 'unknown-type' ? WARNINGS.UNKNOWN_EVENT_TYPE : WARNINGS.UNKNOWN_EVENT_VERSION;
      report.warning(code, `${key} is not known to the auditor: not checked (first seen here)`, chainId);
    }
    return undefined;
  }

  /** R0: positions strictly increase; each stream's revisions run 0, 1, 2, … without gaps. */
  private checkOrder(
    report: Reporter,
    e: RecordedEvent,
    priming: boolean,
    chainId: string | undefined,
  ): void {
    const previous = this.revisions.get(e.streamName);
    this.revisions.set(e.streamName, Math.max(previous ?? -1, e.revision));
    if (priming) return;
    if (this.lastPosition !== undefined && e.position <= this.lastPosition) {
      report.violation(
        RULES.POSITION_NOT_INCREASING,
        `position ${e.position} after ${this.lastPosition}`,
        chainId,
      );
    }
    this.lastPosition = e.position;
    // After `from`, a stream first met may have begun earlier.
    const expected =
      previous === undefined ? (this.options.from === undefined ? 0 : undefined) : previous + 1;
    if (expected !== undefined && e.revision !== expected) {
      report.violation(
        RULES.REVISION_GAP,
        `${e.streamName} revision ${e.revision}, expected ${expected}`,
        chainId,
      );
    }
  }
}
