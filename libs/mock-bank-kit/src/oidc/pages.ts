import type { BankBranding } from '../bank/bank-definition.js';
import { CLAIM_LABELS, type KycRelease } from './kyc-release.js';

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Headers of every page the bank renders (login, consent, errors): nothing may frame them
 * (clickjacking a consent), and they load nothing but their own inline style. No `form-action`:
 * browsers apply it to the redirects after a submission, which end at the broker's callback.
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Friendlier wording for purposes we know; the purpose string itself is always shown too. */
const PURPOSE_WORDING: Readonly<Record<string, string>> = {
  account_opening: '口座開設・会員登録時の本人確認',
  age_verification: '年齢確認',
  address_verification: '住所確認',
  identity_verification: '本人確認',
  kyc: '犯罪収益移転防止法に基づく取引時確認',
};

function layout(bank: BankBranding, title: string, body: string): string {
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - ${escapeHtml(bank.nameJa)}</title>
<style>
body{font-family:system-ui,"Hiragino Sans","Noto Sans JP",sans-serif;margin:0;background:#f6f6f4;color:#222}
header{background:${bank.colour};color:#fff;padding:16px 24px;font-size:20px;font-weight:bold}
header small{font-weight:normal;font-size:14px;margin-left:8px;opacity:.85}
main{max-width:480px;margin:32px auto;background:#fff;border-radius:8px;padding:24px;box-shadow:0 1px 4px rgba(0,0,0,.1)}
label{display:block;margin:12px 0 4px}input{width:100%;padding:8px;box-sizing:border-box;font-size:16px}
button{margin-top:16px;padding:10px 20px;font-size:16px;border-radius:4px;border:1px solid ${bank.colour};cursor:pointer}
button.primary{background:${bank.colour};color:#fff}button.secondary{background:#fff;color:${bank.colour}}
.error{color:#b00020;background:#fdecea;padding:8px;border-radius:4px}
.purpose code{background:#f0f0f0;padding:2px 4px;border-radius:3px}
ul.claims li{margin:4px 0}
</style></head>
<body><header>${escapeHtml(bank.nameJa)}<small>${escapeHtml(bank.name)}</small></header>
<main>${body}</main></body></html>`;
}

export function renderLoginPage(bank: BankBranding, uid: string, error?: string): string {
  const message = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return layout(bank, 'ログイン', `<h1>ログイン Log in</h1>${message}
<form id="login" method="post" action="/interaction/${encodeURIComponent(uid)}/login" autocomplete="off">
<label for="username">お客さま番号 Customer number</label>
<input id="username" name="username" required autofocus>
<label for="password">パスワード Password</label>
<input id="password" name="password" type="password" required>
<button type="submit" class="primary">ログイン Log in</button>
</form>`);
}

export function renderConsentPage(bank: BankBranding, uid: string, release: KycRelease): string {
  const friendly = PURPOSE_WORDING[release.purpose];
  const claims = release.claims
    .map((claim) => `<li data-claim="${escapeHtml(claim)}">${escapeHtml(CLAIM_LABELS[claim])}</li>`)
    .join('');
  return layout(bank, '情報提供の同意', `<h1>本人確認情報の提供 Share your verified identity</h1>
<form id="consent" method="post" action="/interaction/${encodeURIComponent(uid)}/consent">
<p>提供先 Recipient: <strong class="enterprise" data-enterprise-id="${escapeHtml(release.enterprise.id)}">${escapeHtml(release.enterprise.name)}</strong></p>
<p class="purpose">利用目的 Purpose: ${friendly ? `${escapeHtml(friendly)} ` : ''}<code data-purpose>${escapeHtml(release.purpose)}</code></p>
<p>提供する情報 Data to share:</p>
<ul class="claims">${claims}</ul>
<p>${escapeHtml(bank.nameJa)}がお客さまの確認済み情報を上記の提供先へ提供します。</p>
<button type="submit" name="decision" value="approve" class="primary">同意する Approve</button>
<button type="submit" name="decision" value="deny" class="secondary">同意しない Deny</button>
</form>`);
}

export function renderErrorPage(bank: BankBranding, error: string, description?: string): string {
  return layout(bank, 'エラー', `<h1>エラー Error</h1><p class="error">${escapeHtml(error)}</p>${
    description ? `<p>${escapeHtml(description)}</p>` : ''
  }`);
}
