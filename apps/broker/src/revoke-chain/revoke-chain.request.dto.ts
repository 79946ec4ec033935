import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class RevokeChainRequest {
  @ApiProperty({ example: 'fraud reported by vendor egreeting', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @Matches(/^[^\p{Cc}]*$/u, { message: 'reason must not contain control characters' })
  reason!: string;
}

export class ChainIdParam {
  @ApiProperty({ example: 'ch_0123456789abcdef0123456789abcdef' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'chainId must be 1-64 characters of A-Z a-z 0-9 _' })
  chainId!: string;
}
