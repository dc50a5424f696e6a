import { Inject, Injectable, Logger } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '@kyc/platform';

/** What a witness answered to add-checkpoint (C2SP tlog-witness). */
export type WitnessAnswer =
  | { readonly kind: 'cosigned'; readonly lines: string[] }
  | { readonly kind: 'conflict'; readonly size: number }
  | { readonly kind: 'refused'; readonly status: number; readonly detail: string };

export interface WitnessTarget {
  readonly name: string;
  readonly url: string;
}

/** The HTTP side of C2SP tlog-witness: POST <prefix>/add-checkpoint, bounded in time and size. */
@Injectable()
export class WitnessClient {
  private readonly logger = new Logger(WitnessClient.name);

  constructor(@Inject(BROKER_CONFIG) private readonly config: BrokerConfig) {}

  async addCheckpoint(witness: WitnessTarget, oldSize: number, proof: readonly string[], note: string): Promise<WitnessAnswer> {
    const body = `old ${oldSize}\n${proof.map((h) => `${Buffer.from(h, 'hex').toString('base64')}\n`).join('')}\n${note}`;
    const response = await fetch(`${witness.url.replace(/\/+$/, '')}/add-checkpoint`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(this.config.witnesses.timeoutMs),
    });
    const text = (await response.text()).slice(0, 16_384);
    if (response.status === 200) {
      const lines = text.split('\n').filter((l) => l.startsWith('— ')).map((l) => `${l}\n`);
      return { kind: 'cosigned', lines };
    }
    if (response.status === 409 && /^\d{1,19}\n?$/.test(text)) return { kind: 'conflict', size: Number(text.trim()) };
    this.logger.warn({ witness: witness.name, status: response.status }, 'witness refused a checkpoint');
    return { kind: 'refused', status: response.status, detail: text.trim().slice(0, 200) };
  }
}
