import { fromHex, toHex } from './bytes.js';
import { WEB_WALLET, WebWalletError } from './errors.js';

/** Same tag and layout as the protocol (`libs/protocol/src/hash-chain.ts`). */
const PAYWORD_TAG = 'netpay/payword/v1';

/**
 * The protocol's chain step with WebCrypto, so browsers need no other code:
 * W[i-1] = SHA-256(u32be(17) || "netpay/payword/v1" || u32be(len(chainId)) || chainId || u64be(i) || W[i]).
 * Only `sha256` chains: `md5` (a weak interop mode) has no WebCrypto digest.
 */
export class WebChainHasher {
  private readonly prefix: Uint8Array;

  constructor(
    readonly alg: string,
    readonly chainId: string,
  ) {
    if (alg !== 'sha256')
      throw new WebWalletError(
        WEB_WALLET.UNSUPPORTED_CHAIN,
        `the browser wallet holds sha256 chains, not ${alg}`,
      );
    const tag = new TextEncoder().encode(PAYWORD_TAG);
    const id = new TextEncoder().encode(chainId);
    this.prefix = new Uint8Array(4 + tag.length + 4 + id.length);
    const view = new DataView(this.prefix.buffer);
    view.setUint32(0, tag.length);
    this.prefix.set(tag, 4);
    view.setUint32(4 + tag.length, id.length);
    this.prefix.set(id, 8 + tag.length);
  }

  /** W[position-1] from W[position]. */
  async step(position: number, word: Uint8Array): Promise<Uint8Array> {
    const input = new Uint8Array(this.prefix.length + 8 + word.length);
    input.set(this.prefix, 0);
    const view = new DataView(input.buffer);
    view.setUint32(this.prefix.length, Math.floor(position / 0x1_0000_0000));
    view.setUint32(this.prefix.length + 4, position >>> 0);
    input.set(word, this.prefix.length + 8);
    return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
  }

  /**
   * Every word W[0..n] from the seed W[n+1] (n digests; a wallet's chains are short enough to
   * keep, and each purchase then costs no hashing at all).
   */
  async words(seedHex: string, length: number): Promise<string[]> {
    const words = new Array<string>(length + 1);
    let word = fromHex(seedHex);
    for (let position = length + 1; position >= 1; position--) {
      word = await this.step(position, word);
      words[position - 1] = toHex(word);
    }
    return words;
  }
}
