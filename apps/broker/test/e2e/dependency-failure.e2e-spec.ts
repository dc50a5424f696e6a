import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, newTenant, newVerification, type Tenant } from '../support/api.js';
import { startStack, type Stack } from '../support/stack.js';

// A Redis of this test's own (never the machine's shared one), stopped and started under the broker.
let port: number;
let redis: ChildProcess | undefined;
let stack: Stack;
let tenant: Tenant;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startRedis(): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      probe.on('exit', (code) => resolve(code === 0));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('private redis did not start');
}

async function stopRedis(): Promise<void> {
  const proc = redis;
  if (proc === undefined) return;
  await new Promise<void>((resolve) => {
    proc.on('exit', () => resolve());
    proc.kill('SIGKILL');
  });
  redis = undefined;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  stack = await startStack({ REDIS_URL: `redis://127.0.0.1:${port}` });
  tenant = await newTenant(stack);
});

afterAll(async () => {
  await stack.close();
  await stopRedis();
});

describe('when Redis goes away', () => {
  it('fails closed with 503 DEPENDENCY_UNAVAILABLE, then recovers by itself when Redis returns', async () => {
    const v = await newVerification(stack, tenant);
    await stopRedis();
    const down = await fetch(String(v['authorization_url']), { redirect: 'manual' });
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await down.json()) as Record<string, unknown>;
    expect(problem['code']).toBe('DEPENDENCY_UNAVAILABLE');
    expect(JSON.stringify(problem)).not.toMatch(/ECONNREFUSED|ioredis|Stream|127\.0\.0\.1/);
    const ready = await fetch(`${stack.broker}/readyz`);
    expect(ready.status).toBe(503);

    await startRedis();
    const started = Date.now();
    let status = 0;
    while (Date.now() - started < 5000) {
      status = (await fetch(String(v['authorization_url']), { redirect: 'manual' })).status;
      if (status === 302) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(302);
    expect((await call(stack, 'GET', `/v1/verifications/${String(v['id'])}`, tenant.key)).status).toBe(200);
  });
});
