import {
  newNonce,
  type P2PPayment,
  type PseudonymCertificate,
  signIndexStatement,
  type Signer,
  type Touchstone,
} from '#protocol';
import { type ChainSummary, Wallet, type WalletState } from '@netpay/wallet';
import { preparePayment } from './payment.js';

/**
 * A P2P-NetPay e-wallet (seed 000 §4): the one client-side `Wallet` holds the chains the CIS
 * sold, and each payment carries T (CIS-signed), the pseudonym certificate and the index
 * statement I signed with the pseudonym key. A statement once shown counts as spent: it is
 * settled as paid at once, whatever the S-peer answers (an S-peer's refusal states nothing the
 * wallet could release on), and a retry shows the very same statement — an honest wallet
 * therefore never signs two statements over one position, which is what makes two of them a
 * proof of double spending. With `keep`, the wallet's state is handed over after each chain
 * added and each payment prepared, before the payment is returned: a wallet restored from what
 * was kept (`state`) goes on from the next unshown position.
 */
export class P2PWallet {
  readonly wallet: Wallet;

  constructor(
    private readonly signer: Signer,
    readonly certificate: PseudonymCertificate,
    options: { readonly state?: WalletState; readonly keep?: (state: WalletState) => void } = {},
  ) {
    this.wallet = Wallet.fromState(options.state);
    this.keep = options.keep ?? (() => undefined);
  }

  private readonly keep: (state: WalletState) => void;

  get pseudonym(): string {
    return this.certificate.pseudonym;
  }

  /** Whether the chain is in the wallet already. */
  holds(chainId: string): boolean {
    return this.wallet.summaries().some((c) => c.chainId === chainId);
  }

  async add(chain: { readonly seed: string; readonly touchstone: Touchstone }): Promise<ChainSummary> {
    const summary = await this.wallet.addChain(chain);
    this.keep(this.wallet.state());
    return summary;
  }

  /** Prepares (and counts as spent) a payment of `price` coins to `payee` for `contentId`. */
  async pay(payee: string, contentId: string, price: number, now: Date): Promise<P2PPayment> {
    const payment = await preparePayment(this.wallet, price, { vendorId: payee, resource: contentId, now });
    const statement = signIndexStatement(
      {
        chainId: payment.chainId,
        pseudonym: this.pseudonym,
        payee,
        contentId,
        fromIndex: payment.fromIndex,
        count: price,
        payword: payment.proof.payword,
        at: now.toISOString(),
        nonce: newNonce(),
        keyId: this.signer.keyId,
      },
      this.signer,
    );
    this.wallet.settle(payment.purchaseKey, { ok: true, receiptId: statement.nonce });
    this.keep(this.wallet.state());
    return { touchstone: payment.touchstone, certificate: this.certificate, statement };
  }

  remainingCoins(): number {
    return this.wallet.summaries().reduce((sum, c) => sum + c.remainingCoins, 0);
  }
}
