import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { MigrateAdapterFactory } from './prisma/migrate-adapter.js';

const databaseUrl = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/kyc_broker';
process.env['DATABASE_URL'] = databaseUrl;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  adapter: async () => new MigrateAdapterFactory(databaseUrl),
});
