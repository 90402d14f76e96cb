/** Danish number formats for reports: 1.234.567,8 and "12,5 %". Money stays bigint øre until printed. */
import { isHidden, type Shown } from './suppression.ts'

export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : ''
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, '.')
}

export function formatDecimal(n: number, decimals = 1): string {
  const fixed = Math.abs(n).toFixed(decimals)
  const [int, frac] = fixed.split('.')
  const sign = n < 0 && Number(fixed) !== 0 ? '-' : ''
  return `${sign}${formatInt(Number(int))}${frac ? `,${frac}` : ''}`
}

export function formatPct(share: number | null, decimals = 1): string {
  return share === null ? '–' : `${formatDecimal(share * 100, decimals)} %`
}

/** 123456789n øre → "1.234.567,89 kr." */
export function formatKr(ore: bigint): string {
  const sign = ore < 0n ? '-' : ''
  const abs = ore < 0n ? -ore : ore
  const kr = abs / 100n
  const rest = String(abs % 100n).padStart(2, '0')
  return `${sign}${String(kr).replace(/\B(?=(\d{3})+(?!\d))/g, '.')},${rest} kr.`
}

export function formatShown(v: Shown | null, decimals = 0): string {
  if (v === null) return '–'
  if (isHidden(v)) return v
  return decimals === 0 ? formatInt(v) : formatDecimal(v, decimals)
}

export function formatChange(pct: number | null): string {
  if (pct === null) return '–'
  return `${pct > 0 ? '+' : ''}${formatDecimal(pct, 1)} %`
}
