import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { PublicKeyRecord } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { BROKER_KEYS } from '../shared/answer-schemas.js';

@ApiTags('keys')
@Controller('keys')
export class GetBrokerKeysHttpController {
  constructor(private readonly keys: BrokerKeyRing) {}

  @Get()
  @ApiOkResponse({
    schema: BROKER_KEYS,
    description: 'The broker public keys by key id: the current one first, then retired ones.',
  })
  get(): { currentKeyId: string; keys: readonly PublicKeyRecord[] } {
    return { currentKeyId: this.keys.currentKeyId, keys: this.keys.publicKeys() };
  }
}
