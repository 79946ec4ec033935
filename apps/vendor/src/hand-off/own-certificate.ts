import type { Clock } from '#platform';
import { checkVendorKeyCertificate, type Signer, type VendorKeyCertificate } from '#protocol';
import type { BrokerClient } from '../broker/broker-client.js';
import type { KeyDirectory } from '../engine/key-directory.js';
import { refusal, VENDOR } from '../engine/vendor-errors.js';

/**
 * This vendor's certificate for its current key, shown with every hand-off
 * request and answer. Obtained from the broker (the vendor-keys request) and
 * checked against the pinned broker keys, so the channel need not be trusted;
 * fetched again once half its validity has passed (kept while the broker is away).
 */
export class OwnCertificate {
  private current: VendorKeyCertificate | undefined;
  private inFlight: Promise<VendorKeyCertificate> | undefined;

  constructor(
    private readonly vendorId: string,
    private readonly signer: Signer,
    private readonly broker: BrokerClient,
    private readonly keys: KeyDirectory,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<VendorKeyCertificate> {
    const now = this.clock.now().getTime();
    const current = this.current;
    if (current && now < halfLife(current)) return current;
    this.inFlight ??= this.fetch().finally(() => (this.inFlight = undefined));
    try {
      return await this.inFlight;
    } catch (error) {
      if (current && now < Date.parse(current.notAfter)) return current;
      throw error;
    }
  }

  private async fetch(): Promise<VendorKeyCertificate> {
    const certificates = await this.broker.vendorCertificates(this.vendorId);
    const now = this.clock.now();
    const mine = certificates.find(
      (c) =>
        c.keyId === this.signer.keyId &&
        c.publicKey === this.signer.publicKey &&
        checkVendorKeyCertificate(c, this.keys.broker, { now, vendorId: this.vendorId }).ok,
    );
    if (!mine) {
      throw refusal(
        VENDOR.NOT_CERTIFIED,
        `the broker has no valid certificate of ${this.vendorId}'s key ${this.signer.keyId}: is it registered?`,
      );
    }
    this.current = mine;
    return mine;
  }
}

function halfLife(c: VendorKeyCertificate): number {
  const from = Date.parse(c.notBefore);
  return from + (Date.parse(c.notAfter) - from) / 2;
}
