/**
 * Money is bigint øre end to end (1 kr = 100 øre). Nothing here ever goes through a JS number, so
 * amounts of any size stay exact and match what the contracts compute in uint arithmetic.
 */

export type Ore = bigint

export const ORE_PER_KRONE = 100n

export class MoneyFormatError extends Error {
  readonly code = 'MONEY_FORMAT'
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message)
    this.name = 'MoneyFormatError'
  }
}

const SPACES = /[\s\u00a0\u202f]+/g
const CURRENCY = /^(?:kr\.?|dkk)\s*|\s*(?:kr\.?|dkk)$/i

/**
 * Parses an amount in kroner as people and systems write it, into øre.
 *
 * Accepted: `72.500,00 kr`, `72.500,-`, `72500`, `72 500,5`, `kr. 1.234,56`, `DKK 10`, `-12,50` and the ISO 20022
 * form `72500.00`. A comma is always the decimal separator. Without a comma, dots in groups of three
 * (`1.500`) are Danish thousands separators; a single dot followed by one or two digits (`1500.50`) is a
 * decimal point. More than two decimals is an error, never rounded away silently.
 */
export function parseKroner(input: string): Ore {
  let s = input.trim().replace(CURRENCY, '').trim()
  let negative = false
  if (s.startsWith('-') || s.startsWith('\u2212')) {
    negative = true
    s = s.slice(1).trim()
  }
  s = s.replace(SPACES, '')
  let intPart: string
  let fracPart = ''
  if (s.includes(',')) {
    // `,-` is the Danish way of writing whole kroner (`72.500,-`).
    const m = /^(\d{1,3}(?:\.\d{3})+|\d+),(\d{1,2}|-{1,2})$/.exec(s)
    if (!m) throw new MoneyFormatError(`Not an amount in kroner: "${input}"`, input)
    intPart = m[1]!.replaceAll('.', '')
    fracPart = m[2]!.startsWith('-') ? '' : m[2]!
  } else if (/^\d{1,3}(?:\.\d{3})+$/.test(s)) {
    intPart = s.replaceAll('.', '')
  } else {
    const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(s)
    if (!m) throw new MoneyFormatError(`Not an amount in kroner: "${input}"`, input)
    intPart = m[1]!
    fracPart = m[2] ?? ''
  }
  const ore = BigInt(intPart) * ORE_PER_KRONE + BigInt(fracPart.padEnd(2, '0') || '0')
  return negative ? -ore : ore
}

/** Parses a whole-øre decimal string (`"7250000"`), as int8 columns come back from the store. */
export function parseOre(input: string | number | bigint): Ore {
  if (typeof input === 'bigint') return input
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input))
      throw new MoneyFormatError(`Not a whole number of øre: ${input}`, `${input}`)
    return BigInt(input)
  }
  if (!/^-?\d+$/.test(input.trim()))
    throw new MoneyFormatError(`Not a whole number of øre: "${input}"`, input)
  return BigInt(input.trim())
}

function split(ore: Ore): { sign: string; kroner: bigint; rest: string } {
  const abs = ore < 0n ? -ore : ore
  return {
    sign: ore < 0n ? '-' : '',
    kroner: abs / ORE_PER_KRONE,
    rest: (abs % ORE_PER_KRONE).toString().padStart(2, '0'),
  }
}

/** Danish display form: 7_250_000n → `72.500,00`. */
export function formatDanish(ore: Ore): string {
  const { sign, kroner, rest } = split(ore)
  const grouped = kroner.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${sign}${grouped},${rest}`
}

/** Danish display form with the currency: 7_250_000n → `72.500,00 kr.` */
export function formatKroner(ore: Ore): string {
  return `${formatDanish(ore)} kr.`
}

/** Plain-language form for citizens, øre only when there are any: 5_200_000n → `52.000 kr.`, 65_050n → `650,50 kr.` */
export function formatKronerPlain(ore: Ore): string {
  const { rest } = split(ore)
  return rest === '00' ? `${formatDanish(ore).slice(0, -3)} kr.` : formatKroner(ore)
}

/** ISO 20022 amount form, exactly two decimals, no grouping: 7_250_000n → `72500.00`. */
export function formatIso(ore: Ore): string {
  const { sign, kroner, rest } = split(ore)
  return `${sign}${kroner}.${rest}`
}

/**
 * Parses an ISO 20022 amount with exactly two decimals (`72500.00`) into øre. Stricter than
 * {@link parseKroner} on purpose: it is used to check files, where `72500`, `72500.5` or `72500.000` are
 * not the form we promise the bank.
 */
export function parseIso2(input: string): Ore {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(input)
  if (!m) throw new MoneyFormatError(`Not an amount with exactly two decimals: "${input}"`, input)
  const ore = BigInt(m[2]!) * ORE_PER_KRONE + BigInt(m[3]!)
  return m[1] === '-' ? -ore : ore
}

/**
 * Integer division rounded half-up (ties away from zero), the rounding the contracts use for pro-rata
 * amounts. For non-negative operands it equals Solidity's `(n * 2 + d) / (d * 2)`.
 */
export function divHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('Division by zero')
  if (denominator < 0n) return divHalfUp(-numerator, -denominator)
  if (numerator < 0n) return -divHalfUp(-numerator, denominator)
  return (numerator * 2n + denominator) / (denominator * 2n)
}

/** `amount × numerator / denominator`, rounded half-up once at the end. */
export function mulDivHalfUp(amount: bigint, numerator: bigint, denominator: bigint): bigint {
  return divHalfUp(amount * numerator, denominator)
}

export function sumOre(amounts: Iterable<Ore>): Ore {
  let total = 0n
  for (const a of amounts) total += a
  return total
}
