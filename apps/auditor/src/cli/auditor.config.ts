import { EnvVar, EventStoreConfig } from '#config';
import { IsInt, IsOptional, IsString, IsTimeZone, Matches, Min } from 'class-validator';

/**
 * The auditor's environment (`netpay-audit`): the event store the services use, plus the trusted
 * keys and the redemption worker's zone. Read with `loadConfig`, like every process; a problem is
 * a usage error (exit 2). `<NAME>_FILE` may name a file holding a value.
 */
export class AuditorConfig extends EventStoreConfig {
  @EnvVar({
    name: 'BROKER_PUBLIC_KEYS',
    description:
      'trusted broker keys: keyId:publicKeyHex entries (comma or new line) or the JSON of GET /keys; also --broker-keys',
  })
  @IsOptional()
  @IsString()
  brokerPublicKeys?: string;

  @EnvVar({
    name: 'BROKER_ROOT_PUBLIC_KEYS',
    description:
      "the broker's pinned root keys (keyId:publicKeyHex): every working key is learnt from the key lists they sign; also --broker-root-keys",
  })
  @IsOptional()
  @IsString()
  brokerRootPublicKeys?: string;

  @EnvVar({
    name: 'CIS_PUBLIC_KEYS',
    description: "P2P-NetPay: the Central Index Server's public keys (keyId:publicKeyHex), for rules R6",
  })
  @IsOptional()
  @IsString()
  cisPublicKeys?: string;

  @EnvVar({
    name: 'CIS_POLICY_BASE_COINS',
    description:
      "P2P-NetPay: the CIS's contribution-policy base, pinned (R6.POLICY_BROKEN for a sale recorded under another); unset: the base each sale recorded",
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  cisPolicyBase?: number;

  @EnvVar({
    name: 'CIS_POLICY_SUPPLY_MULTIPLE',
    description: "P2P-NetPay: the CIS's contribution-policy multiple of coins supplied, pinned like the base",
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  cisPolicyMultiple?: number;

  @EnvVar({
    name: 'CIS_NOMINAL_GRANT',
    description:
      'P2P-NetPay nominal mode: the community tokens a peer is granted, pinned (R6.TOKENS_GRANT_INVALID for another amount)',
    type: 'integer',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  cisNominalGrant?: number;

  @EnvVar({
    name: 'REDEMPTION_PUBLIC_KEYS',
    description: "the redemption worker's public keys (its verdicts and reservations), same forms",
  })
  @IsOptional()
  @IsString()
  redemptionPublicKeys?: string;

  @EnvVar({
    name: 'REDEMPTION_LEGACY_UNSIGNED_UNTIL',
    description: 'store position up to which unsigned worker records are accepted (as the worker)',
  })
  @IsOptional()
  @Matches(/^\d{1,20}$/, { message: 'must be a global position (digits)' })
  redemptionLegacyUnsignedUntil?: string;

  @EnvVar({
    name: 'REDEMPTION_TIME_ZONE',
    description: 'IANA zone of business days, as the redemption worker (default Pacific/Auckland)',
  })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;
}
