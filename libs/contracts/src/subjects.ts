import { loadConfig, SubjectPrefixConfig } from '#config';

/**
 * NATS subjects between the broker and vendors. Request/reply subjects are
 * served with a queue group so several replicas of one service share them.
 * Every request a client sends carries a timeout (see `DEFAULT_REQUEST_TIMEOUT_MS`).
 *
 * `NATS_SUBJECT_PREFIX` (default `netpay`) namespaces every subject and queue
 * group, so several NetPay deployments (a demo beside `npm start`, tests, tenants)
 * can share one NATS. It is read once, when this module loads, because Nest binds
 * message patterns when classes are declared; it is declared, validated and documented like every
 * other variable (`SubjectPrefixConfig`, which every service's config extends).
 */
export const SUBJECT_PREFIX = subjectPrefix(process.env.NATS_SUBJECT_PREFIX);

/** The prefix `NATS_SUBJECT_PREFIX=value` gives; a bad one throws a `ConfigError` naming the variable. */
export function subjectPrefix(value: string | undefined): string {
  return loadConfig(SubjectPrefixConfig, value === undefined ? {} : { NATS_SUBJECT_PREFIX: value })
    .natsSubjectPrefix;
}

export const subjects = {
  /** Request {@link TouchstoneRequest} → {@link TouchstoneReply}. */
  touchstone: `${SUBJECT_PREFIX}.broker.touchstone`,
  /** Request {} → {@link BrokerKeysReply}: the broker's public keys by key id. */
  brokerKeys: `${SUBJECT_PREFIX}.broker.keys`,
  /** Request {@link VendorKeyRequest} → {@link VendorKeyReply}: a registered vendor's keys. */
  vendorKeys: `${SUBJECT_PREFIX}.broker.vendor-keys`,
  /** Request {@link WalletCheckoutRequest} → {@link WalletCheckoutReply} (server-side e-wallets). */
  walletCheckout: `${SUBJECT_PREFIX}.broker.wallet.checkout`,
  /** Request {@link HandOffRequest} → {@link HandOffReply}, served by the holder vendor. */
  handOff: (vendorId: string): string => `${SUBJECT_PREFIX}.vendor.${vendorId}.handoff`,
  /** Event {@link RevocationNotice}: the broker's CRL broadcast; vendors refuse what it names. */
  revocation: `${SUBJECT_PREFIX}.broker.revocation`,
} as const;

/** Queue groups: one per service (and per vendor id), so replicas split requests. */
export const queues = {
  broker: `${SUBJECT_PREFIX}-broker`,
  vendor: (vendorId: string): string => `${SUBJECT_PREFIX}-vendor-${vendorId}`,
} as const;

export const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;
