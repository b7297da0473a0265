/**
 * One canonical form of each request target, computed once, before routing, and used for everything after it:
 * the access rules, the rate limits and the URL forwarded upstream. A target that has more than one spelling
 * (`/api/v1/%75sers`, `/api/v1/users#x`, `http://host/api/v1/users`) would otherwise be judged in one form at the
 * edge and routed in another behind it. Spellings that RFC 3986 (6.2.2) makes equivalent get the answer of the
 * plain one: needless escapes of unreserved characters are decoded, escapes upper-cased, a fragment (which no
 * client should send, and which names no other resource) dropped, absolute-form reduced to origin-form. Spellings
 * a proxy or router could read as another path are refused: encoded slashes, dot segments, empty segments,
 * malformed or non-UTF-8 escapes, characters a path may not hold.
 */
export interface RequestTarget {
  /** Origin-form, as forwarded: path and query, escapes kept (the path holds no needless ones). */
  url: string;
  /** The path decoded once: what the access rules and rate limits see, and what the upstream router sees. */
  path: string;
}

export type TargetProblem = { status: 400 | 414; reason: string };

/** Longest request target accepted; the header size limit (16 KiB) would allow more than any route needs. */
export const maxTargetLength = 8_192;

/** RFC 3986 pchar plus "/", escapes checked separately. */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%[\]]*$/;
const ESCAPE = /%(?![0-9A-Fa-f]{2})|%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * A target already in canonical form, as nearly every client sends it: non-empty segments of pchars without
 * escapes, none of them a dot segment, and a query without escapes. It is its own URL and its own decoded path.
 */
const PLAIN_TARGET =
  /^(?:\/(?!\.\.?(?:[/?]|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]+)+(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?[\]]*)?$/;

function checkEscapes(text: string): string | undefined {
  for (const match of text.matchAll(ESCAPE)) {
    const hex = match[1];
    if (hex === undefined) return 'a % that starts no escape';
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c) return 'an encoded slash';
    if (code < 0x20 || code === 0x7f) return 'an encoded control character';
  }
  return undefined;
}

/** RFC 3986 6.2.2.1-2: `%75` is `u`, `%c3` is `%C3`. */
function normaliseEscapes(segment: string): string {
  return segment.replace(ESCAPE, function normalise(escape: string, hex: string) {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

/** Parses a raw request target; returns the canonical target or why it is refused. */
export function canonicalTarget(raw: string): RequestTarget | TargetProblem {
  if (raw.length > maxTargetLength) return { status: 414, reason: `longer than ${maxTargetLength} characters` };
  if (PLAIN_TARGET.test(raw)) {
    const queryAt = raw.indexOf('?');
    return { url: raw, path: queryAt === -1 ? raw : raw.slice(0, queryAt) };
  }
  // Absolute-form (RFC 9112, 3.2.2) is what a client sends to a proxy; the path and query are the target.
  const target = raw.replace(ABSOLUTE_FORM, '').split('#', 1)[0] || '/';
  if (!target.startsWith('/')) return { status: 400, reason: 'not a path' };
  const queryAt = target.indexOf('?');
  const rawPath = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? '' : target.slice(queryAt);
  if (!PATH_CHARS.test(rawPath)) return { status: 400, reason: 'characters a path may not hold' };
  if (!QUERY_CHARS.test(query.slice(1))) return { status: 400, reason: 'characters a query may not hold' };
  const badEscape = checkEscapes(rawPath) ?? checkEscapes(query);
  if (badEscape) return { status: 400, reason: badEscape };

  const segments = rawPath.split('/').slice(1);
  const decoded: string[] = [];
  const canonical: string[] = [];
  for (const [index, segment] of segments.entries()) {
    if (segment === '' && index < segments.length - 1) return { status: 400, reason: 'an empty path segment' };
    let value: string;
    try {
      value = decodeURIComponent(segment);
    } catch {
      return { status: 400, reason: 'an escape that is not UTF-8' };
    }
    if (value === '.' || value === '..') return { status: 400, reason: 'a dot segment' };
    decoded.push(value);
    canonical.push(normaliseEscapes(segment));
  }
  return { url: `/${canonical.join('/')}${query}`, path: `/${decoded.join('/')}` };
}

export function isTargetProblem(result: RequestTarget | TargetProblem): result is TargetProblem {
  return 'reason' in result;
}
