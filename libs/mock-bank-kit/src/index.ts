export { loadBankConfig, bankConfigSchema, type BankConfig, type BankId, type Env, type Jwk, type Jwks } from './config/bank-config.js';
export type { BankCustomer, DocumentType, KycMethod, Person, PersonAddress, PersonKyc, PersonName, PersonQuirks, BankSpelling } from './persons/person.js';
export { Prng, hashSeed } from './persons/prng.js';
export { EDGE_CASES, EDGE_CASE_FIRST_POSITION, bankAUsername, bankBUsername, type EdgeCase } from './persons/edge-cases.js';
export { bankCustomers, demoPersons, generalPersons, generatePerson, DEMO_PERSON_COUNT, GENERAL_PER_BANK, GENERAL_SHARED } from './persons/person-generator.js';
export { PREFECTURES } from './persons/japan-data.js';
export { toFullWidth, toFullWidthDigits, toHalfWidthKana, toKanjiNumeral, toEraDate, ERAS } from './text/japanese.js';
export { KYC_CLAIMS, KYC_RELEASE_TYPE, CLAIM_LABELS, kycReleaseSchema, kycReleaseOf, type KycClaim, type KycRelease } from './oidc/kyc-release.js';
export { BROKER_CLIENT_ID, PROVIDER_ROUTES, createBankProvider, providerConfiguration, resourceIndicatorOf, isProviderPath } from './oidc/bank-provider.js';
export { DEMO_PASSWORD } from './oidc/interaction.controller.js';
export { escapeHtml } from './oidc/pages.js';
export {
  DpopAccessVerifier, ResourceAccessError, DPOP_ALGORITHMS, resourceRequestOf,
  type AccessTokenLookup, type AccessTokenRecord, type DpopAccessOptions, type KycAccess, type ResourceRequest,
} from './resource/dpop-access.js';
export { ControlState, controlUpdateSchema, MAINTENANCE_RETRY_AFTER_SECONDS, type Admission, type ControlStats, type ControlUpdate, type FaultSettings } from './control/control-state.js';
export { CustomerDirectory, type BankBranding, type BankDefinition } from './bank/bank-definition.js';
export { BANK_RUNTIME, BankRuntime, type KycOutcome } from './bank/bank-runtime.js';
export { createBankApp, MockBankKitModule, type BankAppParts } from './bank/bank-app.js';
export { findFreePort } from './bank/free-port.js';
export { BankBrowser, formAction, type BankLogin, type BankPage, type ConsentDecision } from './bank/bank-browser.js';
export { Witness, TLOG_SIZE_CONTENT_TYPE, type WitnessLog, type WitnessOptions, type WitnessReply } from './witness/witness.js';
export { WitnessStore, originHash, type WitnessRecord } from './witness/witness-store.js';
export { witnessHandler, isWitnessPath, WITNESS_PREFIX, MAX_ADD_CHECKPOINT_BYTES } from './witness/witness-http.js';
export { parseAddCheckpointRequest, MAX_PROOF_LINES, type AddCheckpointRequest } from './witness/add-checkpoint-request.js';
