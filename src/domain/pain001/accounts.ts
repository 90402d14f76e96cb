/**
 * Account identifiers for payment files: IBAN (ISO 13616, mod-97 check), BIC, and Danish domestic
 * accounts given as registration number (reg.nr, 4 digits) + account number (up to 10 digits).
 */

export function normaliseIban(iban: string): string {
  return iban.replace(/[\s\u00a0]+/g, '').toUpperCase()
}

/** IBAN with a valid mod-97 checksum; Danish IBANs must also be DK + 16 digits. */
export function isValidIban(iban: string): boolean {
  const s = normaliseIban(iban)
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$/.test(s)) return false
  if (s.startsWith('DK') && !/^DK\d{16}$/.test(s)) return false
  const rearranged = s.slice(4) + s.slice(0, 4)
  let remainder = 0
  for (const ch of rearranged) {
    const v = ch >= 'A' && ch <= 'Z' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48
    remainder = v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97
  }
  return remainder === 1
}

export function isValidBic(bic: string): boolean {
  return /^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic)
}

export function isDanishRegNr(regNr: string): boolean {
  return /^\d{4}$/.test(regNr)
}

export function isDanishAccountNumber(account: string): boolean {
  return /^\d{1,10}$/.test(account)
}

/** The Danish IBAN for reg.nr + account: DKkk + reg.nr + account padded to 10 digits. */
export function danishIban(regNr: string, account: string): string {
  if (!isDanishRegNr(regNr) || !isDanishAccountNumber(account)) {
    throw new RangeError(
      `Not a Danish reg.nr (4 digits) and account number (≤ 10 digits): ${regNr} ${account}`,
    )
  }
  const bban = regNr + account.padStart(10, '0')
  // Check digits: 98 − (BBAN ‖ "DK00" as digits) mod 97; D = 13, K = 20.
  const digits = `${bban}132000`
  let remainder = 0
  for (const ch of digits) remainder = (remainder * 10 + (ch.charCodeAt(0) - 48)) % 97
  return `DK${String(98 - remainder).padStart(2, '0')}${bban}`
}
