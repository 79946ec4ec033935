import { ApiProperty } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { REVOCATION_REASONS, type RevocationReason } from '#events';

export class RevokeChainRequest {
  /** A code, never free text: it is published to vendors and in `GET /revocations`. */
  @ApiProperty({ enum: REVOCATION_REASONS, example: 'fraud' })
  @IsIn(REVOCATION_REASONS, { message: `reason must be one of ${REVOCATION_REASONS.join(', ')}` })
  reason!: RevocationReason;
}

export class ChainIdParam {
  @ApiProperty({ example: 'ch_0123456789abcdef0123456789abcdef' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'chainId must be 1-64 characters of A-Z a-z 0-9 _' })
  chainId!: string;
}
