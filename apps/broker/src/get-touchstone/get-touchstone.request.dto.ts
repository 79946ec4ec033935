import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

/** One DTO for the NATS request and the HTTP path parameter. */
export class GetTouchstoneRequest {
  @ApiProperty({ example: 'ch_0123456789abcdef0123456789abcdef' })
  @Matches(/^[A-Za-z0-9_]{1,64}$/, { message: 'chainId must be 1-64 characters of A-Z a-z 0-9 _' })
  chainId!: string;
}
