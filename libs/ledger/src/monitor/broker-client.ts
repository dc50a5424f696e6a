import { z } from 'zod';
import { consistencyProofSchema, type ConsistencyProof } from '../proofs.js';
import { streamLines } from './ndjson.js';

export interface BrokerClientOptions {
  /** The broker's base URL, e.g. http://127.0.0.1:3000. */
  readonly url: string;
  /** An auditor API key. */
  readonly key: string;
  readonly fetch?: typeof fetch;
  /** For each request but the export, which may take as long as the history is long. */
  readonly timeoutMs?: number;
}

/** One line of the NDJSON export, as sent: the monitor checks every part of it itself. */
export interface ExportRow {
  readonly line: number;
  readonly value: unknown;
}

const checkpointJsonSchema = z.object({ note: z.string().min(1) });

/** A checkpoint note is a few hundred bytes; more than this is not one. */
const MAX_ANSWER_CHARS = 1 << 20;

/** The four audit routes a monitor reads; every answer is checked by the caller, none is believed. */
export class BrokerClient {
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: BrokerClientOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /** Asks for a checkpoint over everything so far; the answer carries the cosignatures the broker collected. */
  async newCheckpointNote(): Promise<string> {
    const response = await this.request('POST', '/v1/audit/checkpoints', 'application/json');
    return this.noteOf(response, 'POST /v1/audit/checkpoints');
  }

  async latestCheckpointNote(): Promise<string> {
    const response = await this.request('GET', '/v1/audit/checkpoints/latest', 'text/plain');
    return this.noteOf(response, 'GET /v1/audit/checkpoints/latest');
  }

  async consistencyProof(from: number, to: number): Promise<ConsistencyProof> {
    const path = `/v1/audit/proofs/consistency?from=${from}&to=${to}`;
    const response = await this.request('GET', path, 'application/json');
    const parsed = consistencyProofSchema.safeParse(parseJson(await boundedText(response)));
    if (!parsed.success) throw new Error(`GET ${path} answered something that is not a consistency proof`);
    return parsed.data;
  }

  /**
   * The export, oldest first, one parsed line at a time. The caller leaves the loop as soon as it
   * has what it needs: the request is then aborted, so rows past the checkpoint are never read.
   */
  async *exportRows(): AsyncGenerator<ExportRow, void, undefined> {
    const abort = new AbortController();
    try {
      const response = await this.request('GET', '/v1/audit/export?format=ndjson', 'application/x-ndjson', abort.signal);
      if (response.body === null) return;
      let line = 0;
      for await (const text of streamLines(response.body)) {
        line += 1;
        if (text.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          value = undefined;
        }
        yield { line, value };
      }
    } finally {
      abort.abort();
    }
  }

  private async noteOf(response: Response, what: string): Promise<string> {
    const text = await boundedText(response);
    if (!/json/i.test(response.headers.get('content-type') ?? '')) return text;
    const parsed = checkpointJsonSchema.safeParse(parseJson(text));
    if (!parsed.success) throw new Error(`${what} answered a checkpoint without its signed note`);
    return parsed.data.note;
  }

  private async request(method: string, path: string, accept: string, signal?: AbortSignal): Promise<Response> {
    const timeout = signal === undefined ? AbortSignal.timeout(this.timeoutMs) : signal;
    let response: Response;
    try {
      response = await this.fetch(`${this.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.options.key}`, accept },
        signal: timeout,
      });
    } catch (err) {
      throw new Error(`${method} ${path} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`${method} ${path} answered ${response.status}`);
    }
    return response;
  }
}

async function boundedText(response: Response): Promise<string> {
  if (response.body === null) return '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let text = '';
  for await (const chunk of response.body) {
    text += decoder.decode(chunk, { stream: true });
    // Leaving the loop by the throw cancels the body.
    if (text.length > MAX_ANSWER_CHARS) throw new RangeError(`an answer is longer than ${MAX_ANSWER_CHARS} characters`);
  }
  return text + decoder.decode();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
