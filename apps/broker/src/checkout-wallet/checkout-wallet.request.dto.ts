import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';
import type { WalletCheckoutRequest } from '#contracts';

/** `subjects.walletCheckout` request (the contracts' `WalletCheckoutRequest`), validated. */
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
}
