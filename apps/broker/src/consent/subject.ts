import { keyedHash } from '@kyc/platform';

/** Pairwise subject: stable per enterprise + bank + customer, unlinkable across enterprises. */
export function pairwiseSubject(subjectKey: Buffer, enterpriseId: string, bankId: string, bankSubject: string): string {
  return keyedHash(subjectKey, 'kyc-broker/pairwise-subject/v1', enterpriseId, bankId, bankSubject).toString('base64url');
}

/** The ledger's `subject_ref`: HMAC of bank id + bank subject; findable by who knows the subject, not reversible. */
export function subjectRef(subjectKey: Buffer, bankId: string, bankSubject: string): string {
  return keyedHash(subjectKey, 'kyc-broker/subject-ref/v1', bankId, bankSubject).toString('hex');
}
