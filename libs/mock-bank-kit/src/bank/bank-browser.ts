export type ConsentDecision = 'approve' | 'deny';

export interface BankLogin {
  readonly username: string;
  readonly password: string;
  readonly decision: ConsentDecision;
}

export interface BankPage {
  readonly url: URL;
  readonly status: number;
  readonly html: string;
}

const MAX_REDIRECTS = 10;

/**
 * A minimal cookie-keeping "browser" for tests: follows redirects within the bank, fills the
 * login and consent forms by their stable selectors, and stops at the first redirect that leaves
 * the bank (the broker's callback), returning that URL without requesting it.
 */
export class BankBrowser {
  private readonly cookies = new Map<string, string>();

  /** Opens the authorization URL, logs in when asked, decides on consent; returns the callback URL. */
  async authorize(authorizationUrl: string | URL, login: BankLogin): Promise<URL> {
    let step = await this.navigate(new URL(authorizationUrl));
    for (let i = 0; i < 4; i++) {
      if (step instanceof URL) return step;
      step = await this.act(step, login);
    }
    throw new Error('the bank did not redirect back after login and consent');
  }

  /** Follows redirects inside the bank's origin; returns the page, or the first URL outside the bank. */
  async navigate(start: URL, init?: { method: 'POST'; form: Record<string, string> }): Promise<BankPage | URL> {
    const origin = start.origin;
    let url = start;
    let request: RequestInit | undefined = init
      ? { method: 'POST', body: new URLSearchParams(init.form), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : undefined;
    for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
      const response = await fetch(url, { ...request, redirect: 'manual', headers: { ...request?.headers, cookie: this.cookieHeader() } });
      this.store(response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url, status: response.status, html: await response.text() };
      }
      await response.body?.cancel();
      url = new URL(location, url);
      if (url.origin !== origin) return url;
      request = undefined;
    }
    throw new Error('too many redirects');
  }

  private async act(page: BankPage, login: BankLogin): Promise<BankPage | URL> {
    const loginAction = formAction(page.html, 'login');
    if (loginAction) {
      return this.navigate(new URL(loginAction, page.url), { method: 'POST', form: { username: login.username, password: login.password } });
    }
    const consentAction = formAction(page.html, 'consent');
    if (consentAction) {
      return this.navigate(new URL(consentAction, page.url), { method: 'POST', form: { decision: login.decision } });
    }
    throw new Error(`unexpected bank page (HTTP ${page.status})`);
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') <= Date.now())
        || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The `action` of `form#<id>`, entity-decoded. */
export function formAction(html: string, id: string): string | undefined {
  const tag = new RegExp(`<form\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  const action = tag ? /\baction="([^"]*)"/.exec(tag)?.[1] : undefined;
  return action?.replace(/&amp;/g, '&');
}
