/**
 * The one normalisation of an email address: every comparison, look-up and stored address uses it, so
 * "Jane.Doe@ACME.example " and "jane.doe@acme.example" are one contact everywhere. Local parts are
 * case-sensitive by RFC 5321, but no mail system a customer uses treats them so, and a desk that did would
 * refuse DTCs for their capital letters. Pure.
 */
export function normalizeAddress(address: string | null | undefined): string {
  return (address ?? "").trim().toLowerCase();
}

/** "Jane <Jane@X.example>" or "jane@x.example" → "jane@x.example": a header value's address, normalised. */
export function bareAddress(value: string): string {
  return normalizeAddress(/<([^>]+)>/.exec(value)?.[1] ?? value);
}

/** The domain of a normalised address ("" when there is none). */
export function domainOf(address: string): string {
  const at = address.lastIndexOf("@");
  return at < 0 ? "" : address.slice(at + 1);
}
