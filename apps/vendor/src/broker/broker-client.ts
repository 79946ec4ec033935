import type { WalletCheckoutReply, WalletCheckoutRequest } from '#contracts';
import type { PublicKeyRecord, Touchstone } from '#protocol';

/**
 * What a vendor asks the broker (over NATS in production). Refusals are
 * thrown as coded `NetPayError`s; an unreachable broker as `RPC.TIMEOUT` /
 * `RPC.FAILED`.
 */
export interface BrokerClient {
  touchstone(chainId: string): Promise<Touchstone>;
  brokerKeys(): Promise<readonly PublicKeyRecord[]>;
  vendorKeys(vendorId: string): Promise<readonly PublicKeyRecord[]>;
  checkoutWallet(request: WalletCheckoutRequest): Promise<WalletCheckoutReply>;
}
