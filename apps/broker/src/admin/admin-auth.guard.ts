import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BearerSecret, GuardProblems } from '#platform';
import { BrokerConfig } from '../broker.config.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';

/** Admits operator calls carrying ADMIN_TOKEN as a bearer token (ADMIN.UNAUTHORISED otherwise). */
@Injectable()
@GuardProblems({ 401: [BROKER_ERROR.ADMIN_UNAUTHORISED] })
export class AdminAuthGuard implements CanActivate {
  private readonly admin: BearerSecret;

  constructor(config: BrokerConfig) {
    this.admin = new BearerSecret(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.admin.admits(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization)) {
      throw brokerError(BROKER_ERROR.ADMIN_UNAUTHORISED, 'This operation needs the admin bearer token.', 401);
    }
    return true;
  }
}
