import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A TCP proxy in front of a server, for faults the server itself cannot show: `cut()` drops every
 * connection and refuses new ones (the network is gone), `restore()` lets them through again.
 */
export class FaultProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private cutOff = false;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      if (this.cutOff) {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      this.track(client);
      this.track(upstream);
      upstream.connect(this.target.port, this.target.host);
      client.pipe(upstream).pipe(client);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end);
      upstream.on('error', end);
      client.on('close', end);
      upstream.on('close', end);
    });
  }

  static async start(port: number, target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(port, '127.0.0.1', resolve);
    });
    return proxy;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}

const pgBin = (tool: string): string => {
  const found = spawnSync('bash', ['-c', `ls -d /usr/lib/postgresql/*/bin/${tool} 2>/dev/null | sort -V | tail -n 1`], { encoding: 'utf8' }).stdout.trim();
  return found === '' ? tool : found;
};

/** Runs a PostgreSQL tool as the `postgres` user when we are root (initdb refuses root). */
function asPostgres(tool: string, args: string[]): ChildProcess {
  const command = pgBin(tool);
  return process.getuid?.() === 0 ? spawn('runuser', ['-u', 'postgres', '--', command, ...args], { stdio: 'ignore' }) : spawn(command, args, { stdio: 'ignore' });
}

async function finished(child: ChildProcess, what: string): Promise<void> {
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${what} exited with ${code}`);
}

/**
 * A PostgreSQL of the test's own on a temporary directory and port (never the machine's shared
 * server, which other tests use): trust authentication, no fsync. Restarted and stopped at will.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(port: number): Promise<PrivatePostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'kyc-faults-pg-'));
    chmodSync(dir, 0o777);
    const data = path.join(dir, 'data');
    await finished(asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']), 'initdb');
    const pg = new PrivatePostgres(port, dir);
    await pg.startServer();
    return pg;
  }

  get adminUrl(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async startServer(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=200`;
    await finished(asPostgres('pg_ctl', ['-D', path.join(this.dir, 'data'), '-o', options, '-w', '-t', '30', '-l', path.join(this.dir, 'log'), 'start']), 'pg_ctl start');
  }

  async stopServer(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await finished(asPostgres('pg_ctl', ['-D', path.join(this.dir, 'data'), '-m', mode, '-w', 'stop']), 'pg_ctl stop');
  }

  async destroy(): Promise<void> {
    await this.stopServer('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A redis-server of the test's own (no persistence, like the machine's), stopped and started at will. */
export class PrivateRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(port: number): Promise<PrivateRedis> {
    const redis = new PrivateRedis(port);
    await redis.startServer();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async startServer(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(this.port), 'ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the private redis-server did not start');
  }

  async stopServer(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
