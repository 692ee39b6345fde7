// The request target of an HTTP request, parsed without trusting it: anything a browser, curl
// or an attacker can put on the request line (bad %-escapes, overlong UTF-8, an absolute URL
// that does not parse, NUL) comes back as null, and the caller answers 400.

export interface RequestTarget {
  /** Percent-decoded path, always starting with '/'. */
  readonly pathname: string
  readonly query: URLSearchParams
}

const BASE = 'http://loopback.invalid'

/** Origin-form targets only (`/path?query`): this server is no proxy, so `http://…` and `*` are refused. */
export function parseRequestTarget(target: string | undefined): RequestTarget | null {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return null
  let url: URL
  try {
    url = new URL(target, BASE)
  } catch {
    return null
  }
  let pathname: string
  try {
    // Throws URIError on a truncated escape (`%E0%A4%A`), a non-hex one (`%zz`) and on bytes
    // that are not UTF-8, overlong forms (`%c0%ae`) included.
    pathname = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (pathname.includes('\0')) return null
  return { pathname, query: url.searchParams }
}
