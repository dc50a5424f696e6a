import { keyedHash } from '@kyc/platform';

/** The ledger's `subject_ref`: HMAC of bank id + bank subject; findable by who knows the subject, not reversible. */
export function subjectRef(subjectKey: Buffer, bankId: string, bankSubject: string): string {
  return keyedHash(subjectKey, 'kyc-broker/subject-ref/v1', bankId, bankSubject).toString('hex');
}
