import { writeFileSync } from 'node:fs';
import { openApiJson } from './openapi.document.js';

/** `npm run openapi`: rewrites the committed openapi.json (CI fails when it is stale). */
writeFileSync('openapi.json', openApiJson());
console.log('wrote openapi.json');
