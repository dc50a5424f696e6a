import { describe, expect, it } from 'vitest';
import { loggerParams } from './logging.js';

describe(loggerParams.name, () => {
  const sut = loggerParams('info');
  const http = sut.pinoHttp as unknown as { serializers: Record<string, (v: unknown) => unknown> };

  it('logs the path without its query, where callbacks carry codes and state', () => {
    const logged = http.serializers['req']?.({
      id: 'r-1',
      method: 'GET',
      url: '/v1/oauth/callback?code=secret-code&state=secret-state',
      headers: { authorization: 'Bearer kyck_secret', cookie: 'x=y' },
    });
    expect(logged).toEqual({ id: 'r-1', method: 'GET', path: '/v1/oauth/callback' });
    expect(JSON.stringify(logged)).not.toMatch(/secret|kyck_/);
  });

  it('logs only the status of responses', () => {
    expect(http.serializers['res']?.({ statusCode: 200, headers: { 'set-cookie': 'x' } })).toEqual({ status: 200 });
  });
});
