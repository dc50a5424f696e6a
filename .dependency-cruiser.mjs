// The boundaries of the codebase (docs/architecture.md), checked by `npm test` (`npm run boundaries`).
// Test code (specs, test/ folders) may reach further than product code: a mock bank's test plays the
// broker's part with its own OAuth client, and e2e tests read the database directly.
const TEST_CODE = ['\\.spec\\.ts$', '\\.e2e-spec\\.ts$', '/test/'];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycles between files: each module can be read, tested and loaded on its own.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-never-import-apps',
      severity: 'error',
      comment: 'Libraries are the foundation; apps build on them, never the other way round.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-never-import-other-apps',
      severity: 'error',
      comment: 'The broker and the mock banks share code through libs only (tests may start the banks).',
      from: { path: '^apps/([^/]+)/src/', pathNot: TEST_CODE },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'only-bank-adapters-speak-oauth',
      severity: 'error',
      comment: 'One OAuth/FAPI client (oauth4webapi) for all banks: libs/bank-adapters. Everyone else calls it.',
      from: { path: '^(apps|libs|prisma|bench)/', pathNot: ['^libs/bank-adapters/', ...TEST_CODE] },
      to: { path: 'node_modules/oauth4webapi/' },
    },
    {
      name: 'only-platform-makes-clients',
      severity: 'error',
      comment:
        'Only libs/platform constructs Prisma and Redis clients (PrismaService, RedisService, QueueConnection); the rest injects them. prisma/ holds the migration tooling.',
      from: { path: '^(apps|libs|bench)/', pathNot: ['^libs/platform/', ...TEST_CODE] },
      to: { path: ['node_modules/ioredis/', 'node_modules/@prisma/', '^libs/platform/src/prisma/generated/'] },
    },
    {
      name: 'only-platform-opens-database-connections',
      severity: 'error',
      comment:
        'node-postgres connections come from libs/platform (PrismaService, LedgerPool) so pool sizes stay in config; benchmarks measure the database directly.',
      from: { path: '^(apps|libs)/', pathNot: ['^libs/platform/', ...TEST_CODE] },
      to: { path: 'node_modules/pg/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'features-meet-at-their-index',
      severity: 'error',
      comment:
        "A broker feature folder uses another feature only through that feature's index.ts (its module and exported services); everything else in a folder is private to it.",
      from: { path: '^apps/broker/src/([^/]+)/' },
      to: { path: '^apps/broker/src/[^/]+/', pathNot: ['^apps/broker/src/$1/', '^apps/broker/src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'outside-meets-features-at-their-index',
      severity: 'error',
      comment: 'Code outside the broker (seed, benchmarks) uses a feature only through its index.ts.',
      from: { path: '^(prisma|bench|libs)/' },
      to: { path: '^apps/broker/src/[^/]+/', pathNot: '^apps/broker/src/[^/]+/index\\.ts$' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      comment: 'Every import resolves (a typo or a missing file is a failure, not a silent pass).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules', '^libs/platform/src/prisma/generated/'] },
    exclude: { path: ['^dist/'] },
    // Type-only imports count too: a boundary holds for types as much as for values.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
