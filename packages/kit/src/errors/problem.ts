/** RFC 9457 problem details, plus the platform's stable `code` and the request id for support tickets. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  requestId: string;
  [extension: string]: unknown;
}

export interface InvalidField {
  /** Where the value came from: body, querystring, params or headers. */
  in: string;
  /** JSON-pointer-like path of the offending field, e.g. "/lines/0/quantity". */
  field: string;
  message: string;
}

export const problemContentType = 'application/problem+json; charset=utf-8';

/** Problem types are URNs derived from the code, e.g. `urn:problem:order-not-found`: stable and never a dead link. */
export function problemType(code: string): string {
  return `urn:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}
