import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** Debit a server-side wallet (POST /debits). */
export class DebitWalletRequest {
  @ApiProperty({ description: 'the opaque checkout token the broker gave the customer for this vendor' })
  @IsString()
  @Length(8, 4096)
  checkoutToken!: string;

  @ApiProperty({ description: 'the price in whole coins', minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  count!: number;

  @ApiPropertyOptional({
    description: 'what is bought; the receipt names it (1..2048 UTF-8 bytes, no control characters)',
    default: 'debit',
  })
  @IsOptional()
  @IsString()
  @Length(1, 2048)
  resource?: string;
}
