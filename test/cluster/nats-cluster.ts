// Three nats-server processes on loopback, clustered by routes, each with JetStream and a store
// directory of its own, with the project's authorization (the local stack's scripts/nats-auth.mjs
// output, so every role's identity works here too). What the cluster test kills and restarts.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stackAuthFile } from '#event-store';
import { freePort } from '../ports.js';

export function natsServerBinary(): string | undefined {
  for (const candidate of [process.env.NATS_SERVER_BIN, 'nats-server', '/usr/sbin/nats-server']) {
    if (candidate && spawnSync(candidate, ['--version']).status === 0) return candidate;
  }
  return undefined;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  child: ChildProcess | undefined;
}

export class NatsCluster {
  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    readonly nodes: readonly ClusterNode[],
  ) {}

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  static async start(binary: string, size = 3): Promise<NatsCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'netpay-nats-cluster-'));
    const auth = join(dirname(stackAuthFile()), 'nats', 'auth.conf');
    const include = existsSync(auth)
      ? (copyFileSync(auth, join(dir, 'auth.conf')), 'include ./auth.conf')
      : '';
    const ports = await Promise.all(Array.from({ length: size }, () => freePort()));
    const routes = await Promise.all(Array.from({ length: size }, () => freePort()));
    const clusterName = `netpay_test_${process.pid}`;
    const nodes: ClusterNode[] = ports.map((port, i) => {
      const name = `n${i + 1}`;
      mkdirSync(join(dir, name));
      const others = routes.filter((_, j) => j !== i).map((p) => `"nats-route://127.0.0.1:${p}"`);
      writeFileSync(
        join(dir, `${name}.conf`),
        [
          `server_name: ${name}`,
          `listen: "127.0.0.1:${port}"`,
          `jetstream { store_dir: "${join(dir, name)}", max_memory_store: 64MB, max_file_store: 2GB }`,
          `cluster { name: ${clusterName}, listen: "127.0.0.1:${routes[i]}", routes: [${others.join(', ')}] }`,
          'max_payload: 1MB',
          include,
          '',
        ].join('\n'),
      );
      return { name, port, url: `nats://127.0.0.1:${port}`, child: undefined };
    });
    const cluster = new NatsCluster(binary, dir, nodes);
    for (const node of nodes) await cluster.startNode(node.name);
    return cluster;
  }

  node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  async startNode(name: string): Promise<void> {
    const node = this.node(name);
    node.child = spawn(this.binary, ['-c', join(this.dir, `${name}.conf`)], { stdio: 'ignore' });
    for (let i = 0; i < 400; i++) {
      if (await answers(node.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`nats-server ${name} on :${node.port} did not start`);
  }

  /** SIGKILL: a crash, no shutdown, no flush. */
  async kill(name: string): Promise<void> {
    const node = this.node(name);
    const child = node.child;
    node.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    for (const node of this.nodes) await this.kill(node.name);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
