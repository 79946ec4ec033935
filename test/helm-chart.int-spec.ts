// deploy/helm/netpay: `helm lint` and `helm template` with the project's helm (scripts/helm.mjs
// builds the pinned one with Go when it is missing), and checks on what it renders: replicas,
// probes, resources, disruption budgets, the setup Job, and that no secret is ever in a plain
// environment variable (each service's own secret variables, from its config class).
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadAll } from 'js-yaml';
import { describeConfig } from '#platform';
import { BrokerConfig } from '../apps/broker/src/broker.config.js';
import { RedemptionConfig } from '../apps/redemption/src/redemption.config.js';
import { VendorConfig } from '../apps/vendor/src/vendor.config.js';

const ROOT = resolve(import.meta.dirname, '..');
const CHART = join(ROOT, 'deploy/helm/netpay');
/** scripts/helm.mjs prints the binary's path, building the pinned helm first when it is missing. */
function findHelm(): string | undefined {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/helm.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 20 * 60_000,
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
const helm = findHelm();
const suite = helm && existsSync(helm) ? describe : describe.skip;
if (!helm) console.log('SKIPPED helm chart test: no helm and no Go to build it (see scripts/helm.mjs)');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}
interface Container {
  name: string;
  command?: string[];
  env?: EnvVar[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  containers: Container[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    replicas?: number;
    strategy?: { type: string };
    template?: { spec: PodSpec };
    minAvailable?: number;
    maxUnavailable?: number;
    selector?: { matchLabels?: Record<string, string> };
  };
  stringData?: Record<string, string>;
}

const SECRETS = {
  existingSecret: 'netpay-keys',
};
const ROOT_KEYS = `broker-root:${'cd'.repeat(32)}`;
const OLD_KEYS = `broker-0:${'ef'.repeat(32)}`;
const VALUES = [
  '--set',
  `secrets.existingSecret=${SECRETS.existingSecret}`,
  '--set',
  `brokerPublicKeys=broker-1:${'ab'.repeat(32)}`,
  '--set',
  `brokerRootPublicKeys=${ROOT_KEYS}`,
  '--set',
  `broker.oldPublicKeys=${OLD_KEYS}`,
  '--set',
  'vendors.music.replicas=3',
  '--set',
  'vendors.music.bankAccount=vendor_music',
  '--set',
  'vendors.music.shopOrigins={https://music.example,https://www.music.example}',
  '--set',
  'broker.replicas=3',
];

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(helm ?? 'helm', args, { encoding: 'utf8', cwd: ROOT });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function render(extra: string[] = VALUES): Manifest[] {
  const r = run(['template', 'np', CHART, ...extra]);
  if (r.status !== 0) throw new Error(r.out);
  return (loadAll(r.out) as (Manifest | null)[]).filter((m): m is Manifest => m !== null);
}

/** Each service's secret variables, from its config class (the services read `<NAME>_FILE` too). */
const secretNames = new Set(
  [BrokerConfig, VendorConfig, RedemptionConfig].flatMap((c) =>
    describeConfig(c)
      .filter((v) => v.secret)
      .map((v) => v.name),
  ),
);

suite('the Helm chart (deploy/helm/netpay)', () => {
  const manifests = helm ? render() : [];
  const workloads = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'Job');
  const byName = (kind: string, suffix: string): Manifest | undefined =>
    manifests.find((m) => m.kind === kind && m.metadata.name.endsWith(suffix));

  it('passes helm lint', () => {
    const r = run(['lint', CHART, '--strict', ...VALUES]);
    expect(r.out).toContain('0 chart(s) failed');
    expect(r.status).toBe(0);
  });

  it('refuses to render without secrets, with fewer than two brokers, or a bad vendor id', () => {
    expect(run(['template', 'np', CHART, '--set', `brokerPublicKeys=b:${'ab'.repeat(32)}`]).out).toContain(
      'secrets.existingSecret',
    );
    expect(run(['template', 'np', CHART, ...VALUES, '--set', 'broker.replicas=1']).out).toContain(
      'broker.replicas must be 2 or more',
    );
    expect(run(['template', 'np', CHART, ...VALUES, '--set', 'vendors.Bad-Id.replicas=1']).out).toContain(
      'vendor id',
    );
  });

  it('runs 2+ brokers, one deployment per vendor id with its replicas, one redemption worker behind its lease', () => {
    expect(byName('Deployment', '-broker')?.spec?.replicas).toBe(3);
    expect(byName('Deployment', '-vendor-newspaper')?.spec?.replicas).toBe(2);
    expect(byName('Deployment', '-vendor-music')?.spec?.replicas).toBe(3);
    const redemption = byName('Deployment', '-redemption');
    expect(redemption?.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    const env = redemption?.spec?.template?.spec.containers[0]?.env ?? [];
    expect(env).toEqual(expect.arrayContaining([{ name: 'REDEMPTION_LEASE', value: 'store' }]));
    // Each vendor connects as its own NATS identity.
    const music = byName('Deployment', '-vendor-music')?.spec?.template?.spec.containers[0]?.env ?? [];
    expect(music).toEqual(expect.arrayContaining([{ name: 'NATS_USER', value: 'vendor-music' }]));
    // Only its shop's pages may embed the broker's wallet frame for it.
    expect(music).toEqual(
      expect.arrayContaining([
        { name: 'VENDOR_SHOP_ORIGINS', value: 'https://music.example,https://www.music.example' },
      ]),
    );
    // … and reaches its event store as a second user without allow_responses (deploy/nats/README.md).
    expect(music).toEqual(
      expect.arrayContaining([
        { name: 'EVENT_STORE_NATS_USER', value: 'vendor-music-store' },
        {
          name: 'EVENT_STORE_NATS_PASSWORD_FILE',
          value: '/run/secrets/netpay/nats-password-vendor-music-store',
        },
        // The young generation the performance figures were measured with.
        { name: 'NODE_OPTIONS', value: '--max-semi-space-size=32' },
      ]),
    );
    const broker = byName('Deployment', '-broker')?.spec?.template?.spec.containers[0]?.env ?? [];
    expect(broker).toEqual(
      expect.arrayContaining([{ name: 'EVENT_STORE_NATS_USER', value: 'broker-store' }]),
    );
    // A vendor registers itself with its own token; its pod never mounts the operator's admin token.
    expect(music).toEqual(
      expect.arrayContaining([
        {
          name: 'VENDOR_REGISTRATION_TOKEN_FILE',
          value: '/run/secrets/netpay/vendor-registration-token-music',
        },
      ]),
    );
    for (const id of ['newspaper', 'music']) {
      const pod = byName('Deployment', `-vendor-${id}`)?.spec?.template?.spec;
      const mounted = pod?.volumes?.flatMap((v) => v.secret?.items?.map((i) => i.key) ?? []) ?? [];
      expect({ id, mounted }).toEqual({ id, mounted: expect.not.arrayContaining(['admin-token']) });
      expect(mounted).toContain(`vendor-registration-token-${id}`);
    }
  });

  it('gives every container liveness and readiness probes (services) and resource requests and limits', () => {
    for (const w of workloads) {
      for (const c of w.spec?.template?.spec.containers ?? []) {
        if (w.kind === 'Deployment') {
          expect({ c: c.name, live: c.livenessProbe?.httpGet?.path }).toEqual({ c: c.name, live: '/health' });
          expect({ c: c.name, ready: c.readinessProbe?.httpGet?.path }).toEqual({
            c: c.name,
            ready: '/health/ready',
          });
        }
        expect(c.resources?.requests?.cpu).toBeDefined();
        expect(c.resources?.requests?.memory).toBeDefined();
        expect(c.resources?.limits?.memory).toBeDefined();
      }
    }
    expect(workloads.filter((w) => w.kind === 'Deployment')).toHaveLength(4);
  });

  it('puts no secret in a plain environment variable: every one is a file from the Secret', () => {
    let files = 0;
    for (const w of workloads) {
      const pod = w.spec?.template?.spec;
      for (const c of pod?.containers ?? []) {
        for (const e of c.env ?? []) {
          expect({
            workload: w.metadata.name,
            secretInPlainEnv: secretNames.has(e.name) ? e.name : null,
          }).toEqual({
            workload: w.metadata.name,
            secretInPlainEnv: null,
          });
          if (!e.name.endsWith('_FILE')) continue;
          files += 1;
          // The file is in a mount of a volume from the chart's Secret, and that key is projected.
          const mount = c.volumeMounts?.find((m) => e.value?.startsWith(`${m.mountPath}/`));
          const volume = pod?.volumes?.find((v) => v.name === mount?.name);
          expect({ env: e.name, secret: volume?.secret?.secretName }).toEqual({
            env: e.name,
            secret: SECRETS.existingSecret,
          });
          const key = e.value?.slice((mount?.mountPath.length ?? 0) + 1);
          expect(volume?.secret?.items?.map((i) => i.key)).toContain(key);
        }
      }
    }
    expect(files).toBeGreaterThanOrEqual(15);
    // Every secret a service has is given to it as a file where it needs it.
    const broker = byName('Deployment', '-broker')?.spec?.template?.spec.containers[0]?.env?.map(
      (e) => e.name,
    );
    for (const name of [
      'BROKER_SIGNING_KEY',
      'BROKER_SECRET',
      'WALLET_ENCRYPTION_KEY',
      'ADMIN_TOKEN',
      'NATS_PASSWORD',
      'BROKER_ROOT_SIGNING_KEY',
    ])
      expect(broker).toContain(`${name}_FILE`);
    // An existing Secret named: the chart creates none.
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it('has a disruption budget for every deployment and the stream setup Job with three replicas', () => {
    for (const d of workloads.filter((w) => w.kind === 'Deployment')) {
      const pdb = manifests.find(
        (m) => m.kind === 'PodDisruptionBudget' && m.metadata.name === d.metadata.name,
      );
      expect({ deployment: d.metadata.name, budget: pdb !== undefined }).toEqual({
        deployment: d.metadata.name,
        budget: true,
      });
    }
    expect(byName('PodDisruptionBudget', '-broker')?.spec?.minAvailable).toBe(1);
    const job = manifests.find((m) => m.kind === 'Job');
    const env = job?.spec?.template?.spec.containers[0]?.env ?? [];
    expect(job?.spec?.template?.spec.containers[0]?.command).toEqual(['node', 'scripts/setup-streams.mjs']);
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'EVENT_STORE_REPLICAS', value: '3' },
        { name: 'NATS_USER', value: 'setup' },
      ]),
    );
  });

  it('wires the root-signed broker key list: the root key signs in the broker, its public key is pinned by the others', () => {
    const envOf = (m: Manifest[], suffix: string): Record<string, string | undefined> =>
      Object.fromEntries(
        (
          m.find((x) => x.kind === 'Deployment' && x.metadata.name.endsWith(suffix))?.spec?.template?.spec
            .containers[0]?.env ?? []
        ).map((e) => [e.name, e.value]),
      );
    const keysOf = (m: Manifest[], suffix: string): string[] =>
      m
        .find((x) => x.kind === 'Deployment' && x.metadata.name.endsWith(suffix))
        ?.spec?.template?.spec.volumes?.find((v) => v.secret !== undefined)
        ?.secret?.items?.map((i) => i.key) ?? [];
    // Root and retired keys set: the broker signs its key list with the root key from the Secret
    // and lists the retired key; vendors and the worker pin the root.
    expect(envOf(manifests, '-broker')).toMatchObject({
      BROKER_ROOT_KEY_ID: 'broker-root',
      BROKER_ROOT_SIGNING_KEY_FILE: '/run/secrets/netpay/broker-root-signing-key',
      BROKER_OLD_PUBLIC_KEYS: OLD_KEYS,
    });
    expect(keysOf(manifests, '-broker')).toContain('broker-root-signing-key');
    for (const suffix of ['-vendor-newspaper', '-vendor-music', '-redemption']) {
      expect({ suffix, root: envOf(manifests, suffix).BROKER_ROOT_PUBLIC_KEYS }).toEqual({
        suffix,
        root: ROOT_KEYS,
      });
      // Only the broker holds the root's private key.
      expect(keysOf(manifests, suffix)).not.toContain('broker-root-signing-key');
    }
    // The root alone is enough (rotation of the working key needs no pin anywhere).
    const rootOnly = render([
      '--set',
      `secrets.existingSecret=${SECRETS.existingSecret}`,
      '--set',
      `brokerRootPublicKeys=${ROOT_KEYS}`,
    ]);
    for (const suffix of ['-vendor-newspaper', '-redemption']) {
      expect(envOf(rootOnly, suffix)).toMatchObject({ BROKER_ROOT_PUBLIC_KEYS: ROOT_KEYS });
      expect(envOf(rootOnly, suffix)).not.toHaveProperty('BROKER_PUBLIC_KEYS');
    }
    // Pins only (no root): the broker mounts no root key the Secret need not hold, publishes no list.
    const pinsOnly = render([
      '--set',
      `secrets.existingSecret=${SECRETS.existingSecret}`,
      '--set',
      `brokerPublicKeys=broker-1:${'ab'.repeat(32)}`,
    ]);
    expect(keysOf(pinsOnly, '-broker')).not.toContain('broker-root-signing-key');
    expect(envOf(pinsOnly, '-broker')).not.toHaveProperty('BROKER_ROOT_SIGNING_KEY_FILE');
    expect(envOf(pinsOnly, '-vendor-newspaper')).not.toHaveProperty('BROKER_ROOT_PUBLIC_KEYS');
    // Neither: refused, naming both.
    expect(
      run(['template', 'np', CHART, '--set', `secrets.existingSecret=${SECRETS.existingSecret}`]).out,
    ).toContain('brokerRootPublicKeys (recommended');
  });

  it('renders its own Secret from values when no existing one is named', () => {
    const own = render([
      '--set',
      `brokerPublicKeys=broker-1:${'ab'.repeat(32)}`,
      '--set',
      'secrets.values.admin-token=an-admin-token-for-the-test',
    ]);
    const secret = own.find((m) => m.kind === 'Secret');
    expect(secret?.stringData).toEqual({ 'admin-token': 'an-admin-token-for-the-test' });
    const volume = own
      .find((m) => m.kind === 'Deployment')
      ?.spec?.template?.spec.volumes?.find((v) => v.secret !== undefined);
    expect(volume?.secret?.secretName).toBe(secret?.metadata.name);
  });
});
