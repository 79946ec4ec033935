import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, ValidateIf } from 'class-validator';

/** Both or neither: `refundMandate` proves the customer controls `refundAccount`. */
const namesAnAccount = (o: CashOutRequest): boolean =>
  o.refundAccount !== undefined || o.refundMandate !== undefined;

/** A cash-out's optional body: another account of the customer's for the refund. */
export class CashOutRequest {
  @ApiPropertyOptional({
    example: 'alice_bank_2',
    pattern: '^[A-Za-z0-9_]{1,64}$',
    description:
      'another account of yours for the refund, taken only when the bank declines it for good (account closed, ' +
      'another currency) at the account it goes to — your registered one: before the close, 409 ' +
      'CASHOUT.REFUND_ACCOUNT_NOT_NEEDED otherwise; after it, the refund goes where it was going (refundedTo). ' +
      'Sent with refundMandate.',
  })
  @ValidateIf(namesAnAccount)
  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'refundAccount must be 1-64 characters of A-Z a-z 0-9 _' })
  refundAccount?: string;

  @ApiPropertyOptional({
    example: 'mdt_…',
    pattern: '^[A-Za-z0-9_-]{16,128}$',
    description: 'the mandate your bank issued for refundAccount: proves you control it',
  })
  @ValidateIf(namesAnAccount)
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, {
    message: 'refundMandate must be 16-128 characters of A-Z a-z 0-9 _ -',
  })
  refundMandate?: string;
}
