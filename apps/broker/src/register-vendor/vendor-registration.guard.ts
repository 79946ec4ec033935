import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BearerSecret, bearerTokenOf, GuardProblems } from '#platform';
import { isVendorRegistrationToken } from '#protocol';
import { BrokerConfig } from '../broker.config.js';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';

/**
 * `POST /vendors` and `PUT /vendors/{vendorId}/shop-origins`: the operator's admin token, or the
 * vendor's own registration token (`vendorRegistrationToken(BROKER_SECRET, vendorId)`, for the
 * `vendorId` of the path, or of the body where the path names none). A vendor registers itself
 * and its shop's origins at start with the latter, so no vendor process holds the admin token,
 * which would let it add a key of its own to another vendor, reinstate itself or revoke customers.
 */
@Injectable()
@GuardProblems({ 401: [BROKER_ERROR.VENDOR_REGISTRATION_UNAUTHORISED] })
export class VendorRegistrationGuard implements CanActivate {
  private readonly admin: BearerSecret;

  constructor(private readonly config: BrokerConfig) {
    this.admin = new BearerSecret(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    if (this.admin.admits(header)) return true;
    const token = bearerTokenOf(header);
    const inPath = (request.params as { vendorId?: unknown } | undefined)?.vendorId;
    const vendorId =
      inPath !== undefined ? inPath : (request.body as { vendorId?: unknown } | null | undefined)?.vendorId;
    if (
      token !== undefined &&
      typeof vendorId === 'string' &&
      isVendorRegistrationToken(this.config.brokerSecret, vendorId, token)
    ) {
      return true;
    }
    throw brokerError(
      BROKER_ERROR.VENDOR_REGISTRATION_UNAUTHORISED,
      'Registering a vendor or its shop origins needs the admin bearer token, or that vendor’s own registration token.',
      401,
    );
  }
}
