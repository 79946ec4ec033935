import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** A vendor's Ed25519 public key as registered with the broker. */
export class VendorKeyDto {
  @ApiProperty({ example: 'v1-2026' })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'keyId must be 1-64 of A-Z a-z 0-9 _ . : -' })
  keyId!: string;

  @ApiProperty({ description: 'raw 32-byte Ed25519 public key, lowercase hex' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'publicKey must be 32 bytes of lowercase hex' })
  publicKey!: string;
}
