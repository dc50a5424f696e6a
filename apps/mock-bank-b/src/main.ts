import 'reflect-metadata';
import { loadBankConfig } from '@kyc/mock-bank-kit';
import { createBankBApp } from './app.js';

const config = loadBankConfig('b');
const app = await createBankBApp(config);
app.enableShutdownHooks();
await app.listen(config.port, '127.0.0.1');
console.log(`Tsubame Bank (mock bank B) listening on ${config.issuer}${config.controlEnabled ? ' with test controls at /__control' : ''}`);
