import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { MAX_SUBSCRIBER_AMOUNT } from './operator-billing.js';

const MSISDN = /^\+[1-9][0-9]{6,14}$/;
const MSISDN_MESSAGE = 'msisdn must be an E.164 number like +64211234567';

export class OpenSubscriberRequest {
  @ApiProperty({ example: '+64211234567', description: 'the subscriber number (E.164)' })
  @Matches(MSISDN, { message: MSISDN_MESSAGE })
  msisdn!: string;

  @ApiProperty({ enum: ['prepaid', 'postpaid'] })
  @IsIn(['prepaid', 'postpaid'])
  plan!: 'prepaid' | 'postpaid';

  @ApiProperty({ example: 'NZD' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code like NZD' })
  currency!: string;

  @ApiPropertyOptional({ description: 'prepaid: opening balance, minor units' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SUBSCRIBER_AMOUNT)
  balance?: number;

  @ApiPropertyOptional({ description: 'postpaid: most one monthly bill may collect, minor units' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_SUBSCRIBER_AMOUNT)
  spendingCap?: number;
}

export class MsisdnParam {
  @ApiProperty({ example: '+64211234567' })
  @Matches(MSISDN, { message: MSISDN_MESSAGE })
  msisdn!: string;
}

export class TopUpRequest {
  @ApiProperty({ example: 500, description: 'minor units' })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  amount!: number;

  @ApiProperty({ example: 'NZD' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code like NZD' })
  currency!: string;
}

/** Buy server-side e-coins from the SP, paid from the prepaid balance or on the bill. */
export class MobileBuyCoinsRequest {
  @ApiProperty({ minimum: 1, maximum: 100_000, example: 50 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  coins!: number;

  @ApiProperty({ minimum: 1, maximum: 1_000_000, example: 5, description: 'minor units per coin' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  coinValue!: number;

  @ApiProperty({ example: 'NZD' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code like NZD' })
  currency!: string;
}

export class VendorTokenParam {
  @ApiProperty({ example: 'music' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'vendorId must be 1-64 characters of A-Z a-z 0-9 _' })
  vendorId!: string;
}
