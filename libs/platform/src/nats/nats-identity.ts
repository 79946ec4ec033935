/** The NATS identity variables of a service's config (`NATS_USER`, `NATS_PASSWORD`, `NATS_INBOX_PREFIX`). */
export interface NatsIdentityConfig {
  readonly natsUser?: string | undefined;
  readonly natsPassword?: string | undefined;
  readonly natsInboxPrefix?: string | undefined;
}

/** Connection options for them: each role replies to inboxes of its own (`_INBOX_<user>` by default). */
export interface NatsIdentityOptions {
  user?: string;
  pass?: string;
  inboxPrefix?: string;
}

export function natsIdentityOptions(c: NatsIdentityConfig): NatsIdentityOptions {
  const inboxPrefix = c.natsInboxPrefix ?? (c.natsUser ? `_INBOX_${c.natsUser}` : undefined);
  return {
    ...(c.natsUser ? { user: c.natsUser } : {}),
    ...(c.natsUser && c.natsPassword !== undefined ? { pass: c.natsPassword } : {}),
    ...(inboxPrefix ? { inboxPrefix } : {}),
  };
}
