import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BrokerConfig } from '../broker.config.js';
import { bearerOf } from '../customer/customer-token.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';

/** Admits operator calls carrying ADMIN_TOKEN as a bearer token (ADMIN.UNAUTHORISED otherwise). */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: BrokerConfig) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const token = bearerOf(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    // Compare digests: constant time whatever the lengths.
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      throw brokerError(BROKER_ERROR.ADMIN_UNAUTHORISED, 'This operation needs the admin bearer token.', 401);
    }
    return true;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
