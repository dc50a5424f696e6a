import 'reflect-metadata';
import { loadBankConfig } from '@kyc/mock-bank-kit';
import { createBankAApp } from './app.js';

const config = loadBankConfig('a');
const app = await createBankAApp(config);
app.enableShutdownHooks();
await app.listen(config.port, '127.0.0.1');
console.log(`Kaede Bank (mock bank A) listening on ${config.issuer}${config.controlEnabled ? ' with test controls at /__control' : ''}`);
