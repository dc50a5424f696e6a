import { loadBrokerConfig } from '@kyc/platform';
import { createBrokerApp } from './app.js';

const config = loadBrokerConfig();
const app = await createBrokerApp(config);
await app.listen(config.port, config.bindHost);
console.log(`broker listening on ${config.publicUrl}`);
