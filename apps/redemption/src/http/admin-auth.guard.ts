import { createHash, timingSafeEqual } from 'node:crypto';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { NetPayError } from '#platform';
import { RedemptionConfig } from '../redemption.config.js';

/** Admits operator calls carrying ADMIN_TOKEN as a bearer token (ADMIN.UNAUTHORISED otherwise). */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(config: RedemptionConfig) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers.authorization;
    const token = /^Bearer (\S+)$/.exec(header ?? '')?.[1];
    // Compare digests: constant time whatever the lengths.
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      throw new NetPayError('ADMIN.UNAUTHORISED', 'This operation needs the admin bearer token.', {
        status: 401,
      });
    }
    return true;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
