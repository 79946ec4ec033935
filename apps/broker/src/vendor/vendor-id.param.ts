import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** `vendorId` in a path or a NATS request. */
export class VendorIdParam {
  @ApiProperty({ example: 'egreeting' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'vendorId must be 1-64 characters of A-Z a-z 0-9 _' })
  vendorId!: string;
}
