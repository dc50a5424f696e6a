import type { Bank, Contract, Enterprise } from '@kyc/platform';

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function enterpriseView(e: Enterprise): Record<string, unknown> {
  return {
    id: e.id,
    name: e.name,
    status: e.status,
    redirect_uris: e.redirectUris,
    webhook_url: e.webhookUrl,
    created_at: e.createdAt.toISOString(),
  };
}

export function contractView(c: Contract): Record<string, unknown> {
  return {
    id: c.id,
    status: c.status,
    enterprise_id: c.enterpriseId,
    bank_id: c.bankId,
    claims: c.claims,
    purposes: c.purposes,
    mode: c.mode,
    valid_from: iso(c.validFrom),
    valid_until: iso(c.validUntil),
    rate_limit_rps: c.rateLimitRps,
    access_ttl_seconds: c.accessTtlSeconds,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function bankView(b: Bank): Record<string, unknown> {
  return {
    id: b.id,
    name: b.name,
    status: b.status,
    issuer: b.issuer,
    max_rps: b.maxRps,
    max_concurrency: b.maxConcurrency,
  };
}
