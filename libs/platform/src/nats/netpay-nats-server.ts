import { Logger } from '@nestjs/common';
import { ServerNats } from '@nestjs/microservices';
import { checkPacket, refusalReply } from './nats-packet.js';

/** The part of a NATS message the check reads. */
interface IncomingMsg {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly reply?: string;
  respond(data: Uint8Array): boolean;
}

/**
 * Nest's NATS server, answering every malformed request that has a reply subject with a
 * `REQUEST.INVALID` (or `REQUEST.TOO_DEEP`) error instead of leaving it to time out. A
 * malformed message without a reply subject is dropped with a warning.
 */
export class NetPayNatsServer extends ServerNats {
  private readonly refusals = new Logger('NatsPackets');

  override async handleMessage(channel: string, natsMsg: IncomingMsg): Promise<unknown> {
    const check = checkPacket(natsMsg.data, Boolean(natsMsg.reply));
    if (check.ok) return super.handleMessage(channel, natsMsg);
    this.refusals.warn(`refused a malformed message on ${natsMsg.subject}: ${check.error.message}`);
    if (natsMsg.reply) natsMsg.respond(refusalReply(check));
    return undefined;
  }
}
