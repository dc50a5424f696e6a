export type DocumentType = 'DRIVERS_LICENSE' | 'MY_NUMBER_CARD' | 'RESIDENCE_CARD' | 'PASSPORT' | 'OTHER';
export type KycMethod = 'FACE_TO_FACE' | 'ONLINE_EKYC' | 'POSTAL';

export interface PersonName {
  /** Kanji, or upper-case Latin for foreign residents. */
  readonly family: string;
  readonly given: string;
  /** Full-width katakana; absent when the bank never recorded a reading. */
  readonly familyKana?: string;
  readonly givenKana?: string;
  readonly latin: boolean;
}

export interface PersonAddress {
  /** NNN-NNNN; absent when the customer's record has no postal code. */
  readonly postalCode?: string;
  readonly prefecture: string;
  /** Municipality including a county or a designated city's ward (西多摩郡奥多摩町, 横浜市中区). */
  readonly municipality: string;
  readonly town: string;
  readonly chome?: number;
  readonly ban: number;
  readonly go?: number;
  readonly building?: string;
  readonly room?: string;
}

export interface PersonKyc {
  readonly verified: boolean;
  /** Japan local time of the check, `YYYY-MM-DDTHH:mm:ss` (the banks add +09:00 or an era date). */
  readonly verifiedAt: string;
  readonly method: KycMethod;
  readonly document: { readonly type: DocumentType; readonly expiry?: string };
}

/** How one bank spells this person differently from the truth (the underlying facts stay the same). */
export interface BankSpelling {
  readonly family?: string;
  readonly given?: string;
  readonly municipality?: string;
  readonly town?: string;
  /** This bank did not record the postal code. */
  readonly noPostalCode?: boolean;
}

/** Rendering quirks of the record at each bank. */
export interface PersonQuirks {
  readonly a?: BankSpelling & {
    /** Digits and hyphens written half-width, or a mix of half and full width. */
    readonly width?: 'half' | 'mixed';
    /** A hyphen look-alike used in the block number (U+2212 minus, U+30FC long vowel mark, U+2010). */
    readonly hyphen?: '−' | 'ー' | '‐';
    /** Block numbers in kanji with 丁目/番/号 instead of digits and hyphens. */
    readonly kanjiNumerals?: boolean;
    /** Name separator is a half-width space; kana stored half-width. */
    readonly halfWidthName?: boolean;
  };
  readonly b?: BankSpelling & {
    readonly banchiStyle?: 'kanji-chome' | 'banchi-go' | 'all-kanji';
  };
}

/** One seeded person: the truth both banks derive their (differently spelled) records from. */
export interface Person {
  readonly ref: string;
  readonly name: PersonName;
  readonly birthdate: string;
  readonly address: PersonAddress;
  readonly kyc: PersonKyc;
  readonly quirks: PersonQuirks;
}

/** A person's account at one bank, under that bank's login username (customer number). */
export interface BankCustomer {
  readonly username: string;
  readonly person: Person;
}
