import { createSigner, generateSigningKey, type PublicKeyRecord, type Signer } from '#protocol';

/** Why the key ring was built from an ephemeral key (logged loudly at start). */
export const EPHEMERAL_KEY_WARNING =
  'BROKER_SIGNING_KEY is not set: signing touchstones with an EPHEMERAL key. Touchstones will not verify ' +
  'after a restart. Never run like this in production (NODE_ENV=production refuses to start).';

export interface BrokerKeyConfig {
  readonly brokerId: string;
  readonly signingKeyId: string;
  readonly signingKey?: string;
  /** `keyId:publicKeyHex` of retired keys whose touchstones are still valid. */
  readonly oldPublicKeys: readonly string[];
  readonly nodeEnv: string;
}

/**
 * The broker's keys: one current signing key, plus retired public keys that still verify the
 * touchstones signed before a rotation. Rotation: move the current key's `id:public` into
 * BROKER_OLD_PUBLIC_KEYS, set a new BROKER_KEY_ID and BROKER_SIGNING_KEY, restart.
 */
export class BrokerKeyRing {
  readonly signer: Signer;
  readonly ephemeral: boolean;
  private readonly records: readonly PublicKeyRecord[];

  constructor(config: BrokerKeyConfig) {
    if (config.signingKey === undefined && config.nodeEnv === 'production') {
      throw new Error('BROKER_SIGNING_KEY (or BROKER_SIGNING_KEY_FILE) is required when NODE_ENV=production');
    }
    this.ephemeral = config.signingKey === undefined;
    const privateKey = config.signingKey ?? generateSigningKey(config.signingKeyId).privateKey;
    // The broker reads back what it signs (each chain event, by the wallet projection and every
    // chain read): its own signatures are answered from memory instead of verified again.
    this.signer = createSigner(config.signingKeyId, privateKey, { rememberSignatures: true });
    const current: PublicKeyRecord = {
      keyId: this.signer.keyId,
      publicKey: this.signer.publicKey,
      ownerId: config.brokerId,
    };
    const old = config.oldPublicKeys.map((entry): PublicKeyRecord => {
      const [keyId = '', publicKey = ''] = entry.split(':');
      return { keyId, publicKey, ownerId: config.brokerId };
    });
    if (old.some((k) => k.keyId === current.keyId)) {
      throw new Error(`BROKER_OLD_PUBLIC_KEYS repeats the current key id ${current.keyId}`);
    }
    this.records = [current, ...old];
  }

  get currentKeyId(): string {
    return this.signer.keyId;
  }

  /** Every key a touchstone may name, current first. */
  publicKeys(): readonly PublicKeyRecord[] {
    return this.records;
  }
}
