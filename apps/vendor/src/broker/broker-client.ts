import type { WalletCheckoutReply, WalletCheckoutRequest } from '#contracts';
import type { Touchstone, VendorKeyCertificate } from '#protocol';

/**
 * What a vendor asks the broker (over NATS in production). Refusals are
 * thrown as coded `NetPayError`s; an unreachable broker as `RPC.TIMEOUT` /
 * `RPC.FAILED`. The broker's own keys are never asked for: they are pinned from
 * configuration (an attacker answering the keys subject first could add one).
 */
export interface BrokerClient {
  touchstone(chainId: string): Promise<Touchstone>;
  /**
   * The broker's certificates of a vendor's keys (this vendor asks for its own). Not trusted
   * as such: the caller checks them against the broker keys pinned from its configuration.
   */
  vendorCertificates(vendorId: string): Promise<readonly VendorKeyCertificate[]>;
  checkoutWallet(request: WalletCheckoutRequest): Promise<WalletCheckoutReply>;
}
