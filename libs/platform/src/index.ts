export * from './config/broker-config.js';
export { readSecret } from './config/key-material.js';
export * from './errors/problem.js';
export { ProblemFilter, toProblem } from './errors/problem.filter.js';
export { requestIdOf } from './http/request-id.js';
export { JsonBodyMiddleware, JSON_BODY_LIMIT } from './http/json-body.middleware.js';
export { clientAddress, rateLimitHeaders, type RateLimitState } from './http/rate-limit.js';
export { Sealer, keyedHash, sealingKeyId } from './crypto/sealer.js';
export { PlatformModule } from './platform.module.js';
export * from './prisma/index.js';
export { RedisService } from './redis/redis.js';
export { QueueConnection } from './redis/queue-connection.js';
export { defineScript, type RedisScript } from './redis/script.js';
export { RedisThrottlerStorage, type ThrottlerRecord } from './redis/throttler-storage.js';
export { newSubscriberConnection } from './redis/subscriber-connection.js';
export { MetricsService } from './metrics/metrics.service.js';
export { TtlCache, type TtlCacheOptions } from './cache/ttl-cache.js';
export {
  CacheInvalidation,
  CACHE_INVALIDATION_CHANNEL,
  type CacheKind,
  type Invalidation,
  type InvalidationPublisher,
  type InvalidationSubscriber,
} from './cache/cache-invalidation.js';
