/**
 * Licence-plate normalization, applied wherever plates are compared (session matching,
 * find-my-car). Matching is by equality of normalized plates only: never fuzzy.
 *
 *  1. Unicode NFC (Hangul sent as decomposed jamo becomes the same syllables as precomposed);
 *  2. full-width ASCII forms (`１２Ａ`) become ASCII (`12A`);
 *  3. whitespace, `-`, `.` and `·` are removed (`12가 3456`, `12-가-3456` → `12가3456`);
 *  4. latin letters a–z are uppercased; every other character (Hangul, digits) is kept as is.
 *
 * An empty result means the plate is unreadable (see `isReadablePlate`).
 */
export function normalizePlate(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\-.\u00B7\u30FB]/g, '')
    .replace(/[a-z]/g, (c) => c.toUpperCase());
}

/** True when the normalized plate has at least one character to match on. */
export function isReadablePlate(normalized: string): boolean {
  return normalized.length > 0;
}
