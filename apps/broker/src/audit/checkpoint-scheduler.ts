import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker } from 'bullmq';
import { BROKER_CONFIG, QueueConnection, type BrokerConfig } from '@kyc/platform';
import { CheckpointsService } from './checkpoints.service.js';

export const CHECKPOINT_QUEUE = 'ledger-checkpoints';
const SCHEDULER_ID = 'checkpoint-every-interval';

/**
 * Signs a checkpoint on a schedule (SPEC §8). BullMQ's job scheduler keeps one schedule however many
 * broker instances upsert it, and one worker takes each run; a run over an unchanged tree is a no-op.
 */
@Injectable()
export class CheckpointScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CheckpointScheduler.name);
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(
    private readonly checkpoints: CheckpointsService,
    private readonly queues: QueueConnection,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const options = this.queues.options;
    this.queue = new Queue(CHECKPOINT_QUEUE, options);
    await this.queue.upsertJobScheduler(SCHEDULER_ID, { every: this.config.checkpointIntervalMs }, { name: 'checkpoint', opts: { removeOnComplete: 100, removeOnFail: 100 } });
    this.worker = new Worker(CHECKPOINT_QUEUE, async () => (await this.checkpoints.create()).tree_size, { ...options, concurrency: 1 });
    this.worker.on('failed', (_job, err) => this.logger.warn({ err: err.message }, 'scheduled checkpoint failed'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
