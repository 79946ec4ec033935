import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsObject, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

/** A payer's spend, as JSON (POST /spends). Paid routes take the same in headers. */
export class SpendCoinsRequest {
  @ApiProperty({ example: 'c0a1b2c3d4' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'chainId must be 1-64 characters of A-Z a-z 0-9 _' })
  chainId!: string;

  @ApiProperty({ description: 'position of the payword shown: I + count - 1', minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  position!: number;

  @ApiProperty({ description: 'W[position], lowercase hex (32 bytes; 16 for md5 chains)' })
  @Matches(/^([0-9a-f]{32}|[0-9a-f]{64})$/, { message: 'payword must be lowercase hex of 16 or 32 bytes' })
  payword!: string;

  @ApiProperty({ description: 'the price in whole coins (k)', minimum: 1, maximum: 10_000 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  count!: number;

  @ApiPropertyOptional({
    description: 'what is bought; the receipt names it (1..2048 UTF-8 bytes, no control characters)',
    default: 'spend',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  resource?: string;

  @ApiPropertyOptional({ description: 'the chain touchstone, when the payer carries it' })
  @IsOptional()
  @IsObject()
  touchstone?: Record<string, unknown>;
}
