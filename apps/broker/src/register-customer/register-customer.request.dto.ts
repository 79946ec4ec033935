import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { IsDisplayName } from '#platform';

export class RegisterCustomerRequest {
  @ApiProperty({ example: 'Ada Reader', minLength: 1, maxLength: 100 })
  @IsDisplayName('name')
  name!: string;

  @ApiProperty({ example: 'alice_bank_1', description: 'account at the bank, [A-Za-z0-9_]{1,64}' })
  @IsString()
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'bankAccount must be 1-64 characters of A-Z a-z 0-9 _' })
  bankAccount!: string;

  @ApiProperty({
    example: 'mdt_…',
    description:
      'the mandate your bank issued for the account (the simulated bank shows it once when the account is ' +
      'opened): proves you control it. 16-128 characters of A-Z a-z 0-9 _ -',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{16,128}$/, { message: 'bankMandate must be 16-128 characters of A-Z a-z 0-9 _ -' })
  bankMandate!: string;
}
