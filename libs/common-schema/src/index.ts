export * from './ids.js';
export * from './claims.js';
export * from './verified-claims.js';
export * from './api.js';
export * from './requests.js';
