import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  Matches,
  Max,
  Min,
} from 'class-validator';

export class BuyCoinsRequest {
  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 100, description: 'how many e-coins (paywords)' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  coins!: number;

  @ApiProperty({
    minimum: 1,
    maximum: 1_000_000,
    example: 5,
    description: 'value of one coin, integer minor units',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  coinValue!: number;

  @ApiProperty({ example: 'NZD', description: 'ISO 4217 code the broker sells' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code like NZD' })
  currency!: string;

  @ApiProperty({ enum: ['client', 'server'], description: 'who keeps the paywords' })
  @IsIn(['client', 'server'])
  wallet!: 'client' | 'server';

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 3650,
    description: 'chain lifetime; the broker default when absent',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  expiresInDays?: number;

  @ApiPropertyOptional({ type: [String], description: 'only these vendors may accept the chains' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(16)
  @ArrayUnique()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { each: true, message: 'each vendor id must be 1-64 of A-Z a-z 0-9 _' })
  vendors?: string[];

  @ApiPropertyOptional({
    description:
      'client-side wallets: 32 random bytes (hex) of the wallet, mixed into the seeds and never stored, so the ' +
      'broker cannot recompute them; send the same value when retrying',
  })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'walletNonce must be 32 bytes of lowercase hex' })
  walletNonce?: string;
}
