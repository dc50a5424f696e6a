import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bankCustomers, type BankCustomer } from '@kyc/mock-bank-kit';

/** One hit: where, and which kind of needle (never the needle itself: it is personal data or a secret). */
export interface LogFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
}

export interface Needle {
  readonly kind: string;
  readonly text: string;
}

/** Japanese script of any kind: the broker's own log text is ASCII, so any of it is customer data. */
const JAPANESE = /[\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;
/** Key formats the broker issues. */
const SECRET_FORMATS: readonly [kind: string, pattern: RegExp][] = [
  ['API key', /kyck_[A-Za-z0-9_-]{16,}/],
  ['webhook secret', /whsec_[A-Za-z0-9_-]{16,}/],
];

/** Every customer's name, kana, birthdate and address of both mock banks' raw records. */
export function customerNeedles(customers: readonly BankCustomer[] = [...bankCustomers('a'), ...bankCustomers('b')]): Needle[] {
  const out = new Map<string, Needle>();
  const add = (kind: string, text: string | undefined): void => {
    if (text !== undefined && text.length >= 4) out.set(text, { kind, text });
  };
  for (const { person: p } of customers) {
    add('customer name', `${p.name.family}${p.name.given}`);
    add('customer name', `${p.name.family} ${p.name.given}`);
    add('customer kana', p.name.familyKana === undefined || p.name.givenKana === undefined ? undefined : `${p.name.familyKana}${p.name.givenKana}`);
    add('customer birthdate', p.birthdate);
    add('customer address', `${p.address.municipality}${p.address.town}`);
  }
  return [...out.values()];
}

/** The lines of every log file under `dir` that carry Japanese text, a key format, or a needle. */
export function scanLogs(dir: string, needles: readonly Needle[]): LogFinding[] {
  const findings: LogFinding[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  } catch {
    return findings;
  }
  for (const file of files) {
    const lines = readFileSync(path.join(dir, file), 'utf8').split('\n');
    lines.forEach((text, i) => {
      const hit = (kind: string): void => void findings.push({ file, line: i + 1, kind });
      if (JAPANESE.test(text)) hit('Japanese text (customer data)');
      for (const [kind, pattern] of SECRET_FORMATS) if (pattern.test(text)) hit(kind);
      for (const needle of needles) if (text.includes(needle.text)) hit(needle.kind);
    });
  }
  return findings;
}
