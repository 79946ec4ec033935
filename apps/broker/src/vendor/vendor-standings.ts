import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type EventStore, resubscribing, type Subscription, WriteBehindCheckpoints } from '#event-store';
import {
  decode,
  FRAUD_REASONS,
  type FraudEvidence,
  type RedemptionItemRejected,
  streams,
  vendorOfRedemptionStream,
} from '#events';
import { CLOCK, type Clock } from '#platform';
import {
  type PublicKeyRecord,
  type RevocationNoticeBody,
  type SignedRevocationNotice,
  signRevocationNotice,
  verifyRevocationNotice,
} from '#protocol';
import { BrokerConfig } from '../broker.config.js';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import { adminMetadata, brokerMetadata } from '../shared/metadata.js';
import { contentEventId, readDecoded, runCommand } from '../shared/command.js';
import { CatchUpGate } from '../shared/catch-up-gate.js';
import { EVENT_STORE } from '../shared/tokens.js';
import {
  cleanStanding,
  decideFraud,
  decideReinstate,
  evidenceKey,
  evolveStanding,
  isFraudEvidence,
  REINSTATEMENT_REASON,
  type VendorStanding,
} from './vendor-standing.js';

export const FRAUD_WATCH_SUBSCRIPTION = 'broker-fraud-watch';
const NOTICES_SUBSCRIPTION = 'broker-vendor-notices';

export interface VendorStandingAnswer {
  readonly vendorId: string;
  readonly status: 'active' | 'suspended';
  /** Strikes since the last reinstatement. */
  readonly strikes: number;
  readonly reason?: string;
  readonly since?: string;
  /** The latest broker-signed notice about the vendor (suspension or lift), if any. */
  readonly notice?: SignedRevocationNotice;
}

/**
 * The fraud response (issue 20 item 5). Reads the redemption worker's refusals from the store,
 * believes only those the worker signed (REDEMPTION_PUBLIC_KEYS) with a fraud reason, records
 * each as a strike in `vendor-<id>` and, at FRAUD_SUSPEND_AFTER strikes since the vendor's last
 * reinstatement, suspends it with a broker-signed notice (published by the revocation
 * broadcaster, served in GET /revocations). The operator lifts a suspension (`reinstate`).
 *
 * The watch is a checkpointed subscription: a verdict read twice (a restart before the
 * checkpoint moved) is recorded once, the fold keying strikes by (stream, batch, item).
 */
@Injectable()
export class VendorStandings implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FraudWatch');
  private readonly workerKeys: readonly PublicKeyRecord[];
  private watch: Subscription | undefined;
  private noticeFeed: Subscription | undefined;
  private checkpoints: WriteBehindCheckpoints | undefined;
  /** vendorId → the latest notice about it (verified: the broker's own signature). */
  private readonly notices = new Map<string, SignedRevocationNotice>();
  private readonly caughtUp = new CatchUpGate('vendor notices');
  /** Verdicts not taken as evidence because their signature did not verify (a metric for tests and logs). */
  unverifiedVerdicts = 0;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly config: BrokerConfig,
    private readonly ring: BrokerKeyRing,
  ) {
    this.workerKeys = config.redemptionPublicKeys.map((entry) => {
      const [keyId = '', publicKey = ''] = entry.split(':');
      return { keyId, publicKey, ownerId: 'redemption' };
    });
  }

  onApplicationBootstrap(): void {
    this.caughtUp.closeUntilCaughtUp();
    // Every suspension and lift, from the start (no checkpoint): GET /revocations serves them.
    this.noticeFeed = resubscribing(
      () =>
        this.store.subscribeToAll({
          subscriptionId: NOTICES_SUBSCRIPTION,
          filter: { categories: ['vendor'], eventTypes: ['VendorSuspended', 'VendorReinstated'] },
          onCaughtUp: () => this.caughtUp.caughtUp(),
          handler: async (recorded) => {
            const event = decode(recorded);
            if (event?.type !== 'VendorSuspended' && event?.type !== 'VendorReinstated') return;
            const notice = event.data.notice;
            // Only notices this broker signed, about the stream's own vendor.
            if (notice.id !== event.data.vendorId || `vendor-${notice.id}` !== recorded.streamName) return;
            if (!verifyRevocationNotice(notice, this.ring.publicKeys()).ok) return;
            const known = this.notices.get(notice.id);
            if (!known || known.at <= notice.at) this.notices.set(notice.id, notice);
          },
        }),
      { onError: (e) => this.logger.warn(`vendor notice feed stopped, reopening: ${String(e)}`) },
    );
    if (this.workerKeys.length === 0) {
      this.logger.warn('REDEMPTION_PUBLIC_KEYS is empty: refused redemption items suspend no vendor');
      return;
    }
    this.checkpoints = new WriteBehindCheckpoints(this.store.checkpoints(), 1_000, (e) =>
      this.logger.warn(`cannot store the fraud watch checkpoint yet: ${String(e)}`),
    );
    const checkpoints = this.checkpoints;
    this.watch = resubscribing(
      () =>
        this.store.subscribeToAll({
          subscriptionId: FRAUD_WATCH_SUBSCRIPTION,
          filter: { categories: ['redemption'], eventTypes: ['RedemptionItemRejected'] },
          checkpoints,
          handler: async (recorded) => {
            const event = decode(recorded);
            if (event?.type !== 'RedemptionItemRejected') return;
            await this.recordVerdict(recorded.streamName, event.data);
          },
        }),
      { onError: (e) => this.logger.warn(`fraud watch stopped, reopening: ${String(e)}`) },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.watch?.stop();
    await this.noticeFeed?.stop();
    await this.checkpoints?.flush();
  }

  /** A refusal of the worker: a strike when it is signed evidence of fraud, else nothing. */
  async recordVerdict(stream: string, verdict: RedemptionItemRejected['data']): Promise<void> {
    if (!FRAUD_REASONS.has(verdict.reason)) return;
    const vendorId = vendorOfRedemptionStream(stream);
    if (vendorId === undefined) return;
    const evidence: FraudEvidence = { stream, verdict };
    if (!isFraudEvidence(evidence, vendorId, this.workerKeys)) {
      this.unverifiedVerdicts++;
      this.logger.warn(`ignored a refusal in ${stream} not signed by the redemption worker`);
      return;
    }
    const { result } = await runCommand(this.store, {
      stream: streams.vendor(vendorId),
      initial: cleanStanding,
      evolve: evolveStanding,
      decide: (state) => {
        const events = decideFraud(state, vendorId, evidence, {
          suspendAfter: this.config.fraudSuspendAfter,
          at: this.clock.now().toISOString(),
          sign: (body) => this.sign(body),
        });
        return { events, result: events.some((e) => e.type === 'VendorSuspended') };
      },
      metadata: brokerMetadata(),
      eventId: (event) => contentEventId(event.type, vendorId, evidenceKey(evidence)),
    });
    if (result) this.logger.warn(`vendor ${vendorId} suspended for repeated fraud`);
  }

  /** The operator lifts a suspension (idempotent: a vendor not suspended is answered as it is). */
  async reinstate(vendorId: string): Promise<VendorStandingAnswer> {
    await this.registered(vendorId);
    const { result } = await runCommand(this.store, {
      stream: streams.vendor(vendorId),
      initial: cleanStanding,
      evolve: evolveStanding,
      decide: (state) => {
        const events = decideReinstate(state, vendorId, REINSTATEMENT_REASON, {
          at: this.clock.now().toISOString(),
          sign: (body) => this.sign(body),
        });
        return { events, result: events.reduce(evolveStandingData, state) };
      },
      metadata: adminMetadata(),
    });
    return answer(vendorId, result);
  }

  async standing(vendorId: string): Promise<VendorStandingAnswer> {
    await this.registered(vendorId);
    return answer(vendorId, await this.load(vendorId));
  }

  /** Refuses a suspended vendor (VENDOR.SUSPENDED, 403): certificates, checkouts and grants. */
  async assertActive(vendorId: string): Promise<void> {
    const standing = await this.load(vendorId);
    if (standing.suspended) {
      throw brokerError(
        BROKER_ERROR.VENDOR_SUSPENDED,
        `vendor ${vendorId} is suspended since ${standing.suspended.at}: ${standing.suspended.reason}`,
        403,
        { vendorId },
      );
    }
  }

  /** The latest notice about each vendor ever suspended, oldest first. */
  async vendorNotices(timeoutMs = 5_000): Promise<SignedRevocationNotice[]> {
    await this.caughtUp.wait(timeoutMs);
    return [...this.notices.values()].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  private async load(vendorId: string): Promise<VendorStanding> {
    const events = await readDecoded(this.store, streams.vendor(vendorId));
    return events.reduce(evolveStanding, cleanStanding);
  }

  private async registered(vendorId: string): Promise<void> {
    const events = await readDecoded(this.store, streams.vendor(vendorId));
    if (!events.some((e) => e.type === 'VendorRegistered'))
      throw brokerError(BROKER_ERROR.VENDOR_NOT_FOUND, `no vendor ${vendorId}`, 404);
  }

  private sign(body: Omit<RevocationNoticeBody, 'brokerKeyId'>): SignedRevocationNotice {
    return signRevocationNotice({ ...body, brokerKeyId: this.ring.currentKeyId }, this.ring.signer);
  }
}

function evolveStandingData(
  state: VendorStanding,
  event: { type: 'VendorReinstated'; data: { notice: SignedRevocationNotice } },
): VendorStanding {
  const { suspended: _lifted, ...rest } = state;
  return { ...rest, strikes: [], notice: event.data.notice };
}

function answer(vendorId: string, s: VendorStanding): VendorStandingAnswer {
  return {
    vendorId,
    status: s.suspended ? 'suspended' : 'active',
    strikes: s.strikes.length,
    ...(s.suspended ? { reason: s.suspended.reason, since: s.suspended.at } : {}),
    ...(s.notice ? { notice: s.notice } : {}),
  };
}
