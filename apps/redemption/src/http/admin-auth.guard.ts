import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BearerSecret, GuardProblems, NetPayError } from '#platform';
import { RedemptionConfig } from '../redemption.config.js';

/** Admits operator calls carrying ADMIN_TOKEN as a bearer token (ADMIN.UNAUTHORISED otherwise). */
@Injectable()
@GuardProblems({ 401: ['ADMIN.UNAUTHORISED'] })
export class AdminAuthGuard implements CanActivate {
  private readonly admin: BearerSecret;

  constructor(config: RedemptionConfig) {
    this.admin = new BearerSecret(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.admin.admits(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization)) {
      throw new NetPayError('ADMIN.UNAUTHORISED', 'This operation needs the admin bearer token.', {
        status: 401,
      });
    }
    return true;
  }
}
