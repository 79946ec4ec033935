import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, Matches, ValidateNested } from 'class-validator';
import { IsDisplayName } from '#platform';
import { VendorKeyDto } from '../vendor/vendor-key.dto.js';

export class RegisterVendorRequest {
  @ApiProperty({ example: 'egreeting' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'vendorId must be 1-64 characters of A-Z a-z 0-9 _' })
  vendorId!: string;

  @ApiProperty({ example: 'E-Greeting Cards Ltd' })
  @IsDisplayName('name')
  name!: string;

  @ApiProperty({ description: 'account redemptions are paid into' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'bankAccount must be 1-64 characters of A-Z a-z 0-9 _' })
  bankAccount!: string;

  @ApiProperty({ type: VendorKeyDto })
  @IsDefined()
  @ValidateNested()
  @Type(() => VendorKeyDto)
  key!: VendorKeyDto;
}
