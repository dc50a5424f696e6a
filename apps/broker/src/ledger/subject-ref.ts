import { keyedHash } from '@kyc/platform';

/** The ledger's `subject_ref`: HMAC of bank id + bank subject; findable by who knows the subject, not reversible. */
export function subjectRef(subjectKey: Buffer, bankId: string, bankSubject: string): string {
  return keyedHash(subjectKey, 'kyc-broker/subject-ref/v1', bankId, bankSubject).toString('hex');
}

/**
 * The `subject_ref` an enterprise sees in its own distributions: stable for one customer within the
 * enterprise, unlinkable across enterprises (the ledger's own `subject_ref` is for auditors only).
 */
export function enterpriseSubjectRef(subjectKey: Buffer, enterpriseId: string, ledgerSubjectRef: string): string {
  return keyedHash(subjectKey, 'kyc-broker/enterprise-subject-ref/v1', enterpriseId, ledgerSubjectRef).toString('hex');
}
