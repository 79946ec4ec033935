import { EnvVar, FitsATimer, HttpServiceConfig } from '#platform';
import {
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';

/**
 * One P2P-NetPay peer (`apps/peer`): an S-peer that sells what it shares and an R-peer with a wallet.
 * HTTP, logging, NATS and the event store (when `PEER_EVENT_STORE=jetstream`) are the shared
 * `HttpServiceConfig` variables.
 */
export class PeerConfig extends HttpServiceConfig {
  @EnvVar({ name: 'PORT', description: 'HTTP port', type: 'integer', default: 3400 })
  @IsInt()
  @Min(0)
  @Max(65535)
  declare port: number;

  @EnvVar({
    name: 'PEER_PUBLIC_URL',
    description:
      'this peer’s address as other peers reach it (announced to the CIS); default http://127.0.0.1:<PORT>',
  })
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/)
  publicUrl?: string;

  @EnvVar({ name: 'PEER_IDENTITY', description: 'the real identity, sent to the CIS only (sealed there)' })
  @IsString()
  @MinLength(1)
  identity!: string;

  @EnvVar({
    name: 'PEER_KEY',
    description: 'the pseudonym key: Ed25519 private key, 32 bytes hex',
    secret: true,
  })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 32 bytes of lowercase hex' })
  key!: string;

  @EnvVar({ name: 'PEER_KEY_ID', description: 'key id of the pseudonym key', default: 'peer-1' })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/)
  keyId!: string;

  @EnvVar({
    name: 'CIS_URL',
    description: 'the Central Index Server',
    type: 'url',
    protocols: ['http:', 'https:'],
    default: 'http://127.0.0.1:3300',
  })
  cisUrl!: string;

  @EnvVar({
    name: 'CIS_PUBLIC_KEYS',
    description: 'pinned CIS public keys: keyId:publicKeyHex,…',
    type: 'list',
  })
  @ArrayMinSize(1)
  @Matches(/^[A-Za-z0-9_.:-]{1,64}:[0-9a-f]{64}$/, {
    each: true,
    message: 'each entry must be keyId:64-hex-public-key',
  })
  cisPublicKeys!: string[];

  @EnvVar({
    name: 'PEER_CONTENT_DIR',
    description: 'files shared by this peer (each file one item); unset: nothing shared',
  })
  @IsOptional()
  @IsString()
  contentDir?: string;

  @EnvVar({
    name: 'PEER_PRICE',
    description: 'price of each shared file in coins',
    type: 'integer',
    default: 2,
  })
  @IsInt()
  @Min(1)
  price!: number;

  @EnvVar({
    name: 'PEER_JOURNAL_DIR',
    description:
      'the peer’s journal (accepted statements, proofs, certificate) and its wallet (chains with their seeds, every index shown: `wallet-<pseudonym>.json`, owner-only), fsync’d; a restart with the same key and folder keeps its coins',
    default: '.stack/peer',
  })
  @IsString()
  journalDir!: string;

  @EnvVar({
    name: 'PEER_CONTROL_TOKEN',
    description: 'bearer token of the owner’s control calls (buy, fetch, redeem)',
    secret: true,
  })
  @IsString()
  @MinLength(16)
  controlToken!: string;

  @EnvVar({
    name: 'PEER_HEARTBEAT',
    description: 'interval of heartbeats to the CIS',
    type: 'duration',
    default: '20s',
  })
  @IsInt()
  @Min(100)
  @FitsATimer()
  heartbeatMs!: number;

  @EnvVar({
    name: 'PEER_EVENT_STORE',
    description:
      'jetstream: record spends at once (catches double spends at once); none: journal only, uploaded at redemption',
    default: 'jetstream',
  })
  @IsIn(['jetstream', 'none'])
  spendRecording!: 'jetstream' | 'none';
}
