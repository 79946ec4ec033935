import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import type { WalletCheckoutRequest } from '#contracts';

/**
 * `subjects.walletCheckout` request (the contracts' `WalletCheckoutRequest`), validated. The
 * signature fields are optional here so an unsigned request gets CHECKOUT.UNSIGNED, not a
 * generic validation error; the handler checks them with the protocol's parser.
 */
export class CheckoutWalletRequest implements WalletCheckoutRequest {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'vendorId must be 1-64 characters of A-Z a-z 0-9 _' })
  vendorId!: string;

  @ApiProperty({ description: 'the opaque token the customer got for this vendor' })
  @IsString()
  @Length(8, 1024)
  checkoutToken!: string;

  @ApiProperty({ minimum: 1, maximum: 10_000 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  coins!: number;

  @ApiProperty({
    required: false,
    minimum: 1,
    maximum: 10_000,
    description:
      'the fewest coins the slice must hold (the purchase price): a chain with fewer left is not handed out; default 1',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  minCoins?: number;

  @ApiProperty({
    required: false,
    description:
      'the currency of the coins the vendor accepts (with coinValue): chains of other coins are not handed out',
  })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be three capital letters' })
  currency?: string;

  @ApiProperty({
    required: false,
    minimum: 1,
    description: 'the coin value (minor units) the vendor accepts',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  coinValue?: number;

  @ApiProperty({ description: 'when the vendor signed the request (ISO 8601 UTC, ms)' })
  @IsOptional()
  @IsString()
  at!: string;

  @ApiProperty({ description: '16 random bytes, lowercase hex' })
  @IsOptional()
  @IsString()
  nonce!: string;

  @ApiProperty({ description: 'the registered vendor key that signed' })
  @IsOptional()
  @IsString()
  vendorKeyId!: string;

  @ApiProperty({ description: 'Ed25519 over the canonical checkout request (libs/protocol)' })
  @IsOptional()
  @IsString()
  signature!: string;
}
