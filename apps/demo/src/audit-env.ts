import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { redemptionPublicKeys, rootPublicKeys, type StackOptions } from './local-stack.js';
import { natsRoleEnv, repoRoot } from './stack-env.js';

/**
 * What \`npm run audit\` needs to audit a stack's stream: the store and its subject prefix, the
 * auditor's NATS identity, the broker's keys (pinned and root) and the worker's key.
 */
export function auditEnvOf(options: StackOptions, storeEnv: Record<string, string>): Record<string, string> {
  const s = options.secrets;
  return {
    ...storeEnv,
    ...natsRoleEnv('auditor'),
    NATS_URL: storeEnv.NATS_URL ?? '',
    BROKER_PUBLIC_KEYS: `${s.brokerKey.keyId}:${s.brokerKey.publicKey}`,
    BROKER_ROOT_PUBLIC_KEYS: rootPublicKeys(s),
    REDEMPTION_PUBLIC_KEYS: redemptionPublicKeys(s),
    REDEMPTION_TIME_ZONE: options.timeZone,
  };
}

/** Writes the audit's variables to `file` (owner only: it holds the auditor's NATS password). */
export function writeAuditEnv(env: Record<string, string>, file: string): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const quote = (v: string): string => (/^[A-Za-z0-9_.:,/@+=-]*$/.test(v) ? v : JSON.stringify(v));
  const body = Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join('\n');
  const shown = relative(repoRoot, file);
  writeFileSync(file, `# npm run audit -- --env ${shown}\n${body}\n`, { mode: 0o600 });
  return shown;
}

/**
 * --keep: writes the audit's variables beside the stream's name (\`.stack/demo/<stream>.env\`) and
 * returns the lines that print them (public keys and prefix; the password stays in the file) with
 * the exact audit command.
 */
export function keptForAudit(env: Record<string, string>, file: string): string {
  const shownFile = writeAuditEnv(env, file);
  const shown = ['EVENT_STORE_STREAM', 'EVENT_STORE_SUBJECT_PREFIX', 'NATS_URL', 'NATS_USER']
    .concat([
      'BROKER_PUBLIC_KEYS',
      'BROKER_ROOT_PUBLIC_KEYS',
      'REDEMPTION_PUBLIC_KEYS',
      'REDEMPTION_TIME_ZONE',
    ])
    .filter((k) => env[k] !== undefined)
    .map((k) => `  ${k}=${env[k]}`);
  return [
    `kept             stream ${env.EVENT_STORE_STREAM ?? ''}; its audit variables are in ${shownFile}:`,
    ...shown,
    `audit it with    npm run audit -- --env ${shownFile}`,
    '',
  ].join('\n');
}
