import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP load balancer as one stands in front of broker instances: each new connection goes, round
 * robin, to a backend whose `/readyz` answered 200 at the last health check (every 200 ms). A
 * backend that dies takes its open connections with it; a draining one turns unready and gets no
 * new ones.
 */
export class Balancer {
  private readonly server: Server;
  private readonly ready = new Map<number, boolean>();
  private readonly sockets = new Set<Socket>();
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(private readonly backends: readonly number[]) {
    for (const port of backends) this.ready.set(port, false);
    this.server = createServer((client) => {
      client.pause();
      this.track(client);
      client.on('error', () => client.destroy());
      this.connect(client, new Set());
    });
  }

  /**
   * Opens the upstream connection for `client`; a backend that refuses the connection (dead before
   * the health check noticed) is marked down and the next one tried, as a proxy's next-upstream on
   * connect errors does: no byte has gone anywhere yet.
   */
  private connect(client: Socket, tried: Set<number>): void {
    const port = this.pick(tried);
    if (port === undefined || client.destroyed) {
      client.destroy();
      return;
    }
    tried.add(port);
    const upstream = new Socket();
    this.track(upstream);
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', () => {
      if (connected) return;
      this.markDown(port);
      this.connect(client, tried);
    });
    upstream.on('close', () => {
      if (connected) client.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.connect(port, '127.0.0.1');
  }

  static async start(port: number, backends: readonly number[]): Promise<Balancer> {
    const balancer = new Balancer(backends);
    await new Promise<void>((resolve, reject) => {
      balancer.server.once('error', reject);
      balancer.server.listen(port, '127.0.0.1', resolve);
    });
    balancer.timer = setInterval(() => void balancer.check(), 200);
    await balancer.check();
    return balancer;
  }

  /** Marks a backend down at once (as the balancer's own failed connect would). */
  markDown(port: number): void {
    this.ready.set(port, false);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * The next ready backend not yet tried; when none is ready (a shared dependency is down, so every
   * instance is unready) the balancer fails open to all of them, as cloud load balancers do, so that
   * clients get the instances' own 503 answers rather than closed connections.
   */
  private pick(tried: ReadonlySet<number>): number | undefined {
    const untried = this.backends.filter((port) => !tried.has(port));
    const ready = untried.filter((port) => this.ready.get(port) === true);
    const candidates = ready.length > 0 ? ready : untried;
    if (candidates.length === 0) return undefined;
    this.next = (this.next + 1) % candidates.length;
    return candidates[this.next];
  }

  private async check(): Promise<void> {
    await Promise.all(
      this.backends.map(async (port) => {
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(500) }).then(
          async (res) => {
            await res.body?.cancel();
            return res.status === 200;
          },
          () => false,
        );
        this.ready.set(port, ok);
      }),
    );
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
