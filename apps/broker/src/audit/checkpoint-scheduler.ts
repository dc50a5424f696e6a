import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { BROKER_CONFIG, QueueConnection, type BrokerConfig } from '@kyc/platform';
import { CheckpointsService } from './checkpoints.service.js';

export const CHECKPOINT_QUEUE = 'ledger-checkpoints';
const SCHEDULER_ID = 'checkpoint-every-interval';

/** How often each instance checks that the checkpoint schedule still exists in Redis. */
const RESCHEDULE_CHECK_MS = 5_000;

/**
 * Signs a checkpoint on a schedule (SPEC §8). BullMQ's job scheduler keeps one schedule however many
 * broker instances upsert it, and one worker takes each run; a run over an unchanged tree is a no-op.
 */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CheckpointScheduler.name);
  private queue: Queue | undefined;
  private worker: Worker | undefined;
  private watch: NodeJS.Timeout | undefined;

  constructor(
    private readonly checkpoints: CheckpointsService,
    private readonly queues: QueueConnection,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const options = this.queues.options;
    this.queue = new Queue(CHECKPOINT_QUEUE, options);
    // Redis going away is reported by the calls that need it (and by /readyz).
    this.queue.on('error', () => undefined);
    await this.schedule();
    this.worker = new Worker(CHECKPOINT_QUEUE, async () => (await this.checkpoints.create()).tree_size, { ...options, concurrency: 1 });
    this.worker.on('error', () => undefined);
    this.worker.on('failed', (_job, err) => this.logger.warn({ err: err.message }, 'scheduled checkpoint failed'));
    // A Redis that restarted without persistence has forgotten the schedule: put it back.
    this.watch = setInterval(() => void this.ensureScheduled(), RESCHEDULE_CHECK_MS);
    this.watch.unref();
  }

  private async schedule(): Promise<void> {
    await this.queue?.upsertJobScheduler(SCHEDULER_ID, { every: this.config.checkpointIntervalMs }, { name: 'checkpoint', opts: { removeOnComplete: 100, removeOnFail: 100 } });
  }

  private async ensureScheduled(): Promise<void> {
    try {
      if ((await this.queue?.getJobScheduler(SCHEDULER_ID)) === undefined) {
        await this.schedule();
        this.logger.warn('the checkpoint schedule was missing from Redis (a restart without persistence); scheduled again');
      }
    } catch {
      // Redis is away; the next check tries again.
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.watch);
    await this.worker?.close();
    await this.queue?.close();
  }
}
