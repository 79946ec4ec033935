import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

export class OpenBankAccountRequest {
  @ApiProperty({ example: 'alice_bank_1' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'accountId must be 1-64 characters of A-Z a-z 0-9 _' })
  accountId!: string;

  @ApiProperty({ example: 'NZD' })
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code like NZD' })
  currency!: string;

  @ApiProperty({ example: 100_00, description: 'opening balance, minor units' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  balance!: number;

  @ApiPropertyOptional({ description: 'largest single charge; BANK_MAX_CHARGE when absent' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  maxCharge?: number;
}

export class BankAccountParam {
  @ApiProperty()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'accountId must be 1-64 characters of A-Z a-z 0-9 _' })
  accountId!: string;
}
