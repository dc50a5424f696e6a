import cluster from 'node:cluster';
import { loadBrokerConfig } from '@kyc/platform';

const config = loadBrokerConfig();

/**
 * One broker per core (BROKER_WORKERS, docs/performance.md): the primary only forks workers that
 * share the port, replaces one that dies, and on SIGTERM/SIGINT passes the signal on and exits when
 * they have. Workers are ordinary stateless instances: everything shared lives in Postgres and Redis.
 */
if (config.workers > 1 && cluster.isPrimary) {
  let stopping = false;
  const fork = (): void => void cluster.fork();
  for (let i = 0; i < config.workers; i++) fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`broker worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, 1_000).unref();
  });
  const stop = (signal: NodeJS.Signals): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  let listening = 0;
  cluster.on('listening', () => {
    listening += 1;
    if (listening === config.workers) console.log(`broker listening on ${config.publicUrl} (${config.workers} worker processes)`);
  });
} else {
  const { createBrokerApp } = await import('./app.js');
  const { drainAndClose } = await import('./health/lifecycle.js');
  const app = await createBrokerApp(config);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    drainAndClose(app, config.shutdownGraceMs).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`broker shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await app.listen(config.port, config.bindHost);
  if (!cluster.isWorker) console.log(`broker listening on ${config.publicUrl}`);
}
