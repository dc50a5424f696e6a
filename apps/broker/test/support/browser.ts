/**
 * A cookie-jar "browser" without a browser: follows redirects by hand (so tests can stop at any
 * hop), keeps cookies for 127.0.0.1, and submits the bank's login and consent forms.
 */
export class CookieBrowser {
  private readonly cookies = new Map<string, string>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Response> {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects from `url` until a page answers, or until a redirect leaves for `stopAtOrigin`. */
  async follow(url: string, stopAtPrefix?: string): Promise<{ url: string; response: Response }> {
    let current = url;
    for (let hop = 0; hop < 20; hop++) {
      if (stopAtPrefix !== undefined && hop > 0 && current.startsWith(stopAtPrefix)) {
        return { url: current, response: new Response(null, { status: 599 }) };
      }
      const response = await this.get(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null) return { url: current, response };
      current = new URL(location, current).toString();
    }
    throw new Error('too many redirects');
  }

  /** Submits `form#<id>` found in `html` (served at `pageUrl`) with `fields` added; returns where it redirects. */
  async submit(pageUrl: string, html: string, id: string, fields: Record<string, string>): Promise<Response> {
    const form = new RegExp(`<form[^>]*id=["']${id}["'][^>]*>([\\s\\S]*?)</form>`, 'i').exec(html);
    if (form === null) throw new Error(`no form#${id} on ${pageUrl}`);
    const tag = /<form[^>]*>/i.exec(form[0])?.[0] ?? '';
    const action = /action=["']([^"']*)["']/i.exec(tag)?.[1] ?? pageUrl;
    const hidden: Record<string, string> = {};
    for (const input of form[1]?.matchAll(/<input[^>]*type=["']hidden["'][^>]*>/gi) ?? []) {
      const name = /name=["']([^"']*)["']/i.exec(input[0])?.[1];
      const value = /value=["']([^"']*)["']/i.exec(input[0])?.[1] ?? '';
      if (name !== undefined) hidden[name] = decodeEntities(value);
    }
    return this.post(new URL(decodeEntities(action), pageUrl).toString(), { ...hidden, ...fields });
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(line);
    return response;
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair === undefined || eq < 0) return;
    const name = pair.slice(0, eq).trim();
    const expired = attributes.some((a) => /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1] ?? '') < Date.now()));
    if (expired) this.cookies.delete(name);
    else this.cookies.set(name, pair.slice(eq + 1).trim());
  }
}

function decodeEntities(s: string): string {
  return s.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>');
}
