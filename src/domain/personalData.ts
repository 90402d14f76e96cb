/**
 * The personal-data guard: finds CPR numbers, known citizens' names, e-mail addresses and free
 * text in a payload bound for the ledger. CPR rules follow OS2datascanner: ten digits with an
 * optional '-' or ' ' after the sixth, a valid date with the century given by the seventh
 * digit; modulus-11 and context words ("cpr", "personnummer", …) only raise confidence, and
 * context that says the number is something else (phone, invoice, account, CVR) lowers it.
 * Hex strings (calldata, log data) are decoded: printable runs are scanned as text and every
 * 32-byte word is read as a number and as BCD digits, so a CPR hidden in ABI encoding is found.
 */
import { cprBirthDate, modulus11 } from './cpr.ts'

export type FindingKind = 'cpr' | 'name' | 'email' | 'free_text'

export interface Finding {
  kind: FindingKind
  /** Where in the payload: a JSON path, with `<hex@N>` for byte offset N in decoded hex. */
  path: string
  /** 0..1; findings below the threshold are not reported. */
  confidence: number
  /** Why it was flagged (never contains the value itself). */
  reason: string
  /** The value with its personal part masked, safe to log. */
  masked: string
}

export interface ScanOptions {
  /** Names of the case's citizens (full names; each part of three letters or more is matched too). */
  names?: readonly string[]
  /** Flag strings that read like sentences (default true): ledger payloads carry codes, not text. */
  freeText?: boolean
  /** Minimum confidence to report (default 0.5). */
  threshold?: number
}

export class PersonalDataError extends Error {
  override name = 'PersonalDataError'
  readonly code = 'PERSONAL_DATA_IN_PAYLOAD'
  constructor(readonly findings: Finding[]) {
    super(
      `payload refused: it contains personal data (${findings
        .map((f) => `${f.kind} at ${f.path}`)
        .slice(0, 5)
        .join(', ')}${findings.length > 5 ? ', …' : ''})`,
    )
  }
}

const POSITIVE_CONTEXT =
  /(cpr|c\.p\.r|personnummer|person\s*nr|personnr|p-?nr|fødselsnummer|foedselsnummer|personal\s*id|civil\s*reg|social\s*security|ssn)/i
const NEGATIVE_CONTEXT =
  /(tlf|telefon|mobil|phone|fax|faktura|invoice|ordre|order|konto|account|reg\.?\s*nr|regnr|iban|swift|cvr|se-?nr|ean|gln|beløb|amount|price|pris|\bkr\b|dkk|øre|ore\b|løbe\s*nr|lobenr|tracking|journal|timestamp|block|sags?nr|sagsnummer|version|serial)/i
const CONTEXT_BEFORE = 40
const CONTEXT_AFTER = 20

// Ten digits, optionally split 6+4 by one '-' or ' ', not part of a longer digit sequence.
const CPR_IN_TEXT = /(?<!\d|\d[-./ ])(\d{6})([- ]?)(\d{4})(?!\d|[-./]\d)/g

function fold(s: string): string {
  return s
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
}

interface NamePattern {
  re: RegExp
  confidence: number
  what: string
}

function namePatterns(names: readonly string[]): NamePattern[] {
  const out: NamePattern[] = []
  const seen = new Set<string>()
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  for (const full of names) {
    const f = fold(full.trim())
    if (!f) continue
    const parts = f.split(/[\s-]+/).filter((p) => p.length >= 3)
    const candidates: [string, number, string][] = [[f, 1, 'full name']]
    for (const p of parts) candidates.push([p, 0.8, 'part of a name'])
    for (const [text, confidence, what] of candidates) {
      if (seen.has(text)) continue
      seen.add(text)
      const body = text
        .split(/[\s-]+/)
        .map(esc)
        .join('[\\s_-]+')
      out.push({ re: new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'gu'), confidence, what })
    }
  }
  return out
}

interface Ctx {
  findings: Finding[]
  names: NamePattern[]
  freeText: boolean
  threshold: number
}

function add(ctx: Ctx, f: Finding): void {
  if (f.confidence >= ctx.threshold)
    ctx.findings.push({ ...f, confidence: Math.round(f.confidence * 100) / 100 })
}

/** Confidence that ten digits are a CPR number, given the text around them. */
function cprScore(digits: string, sep: string, before: string, after: string, keyContext: string): number {
  if (!cprBirthDate(digits)) return 0
  let score = 0.4
  if (modulus11(digits)) score += 0.2
  if (sep === '-') score += 0.1
  else if (sep === ' ') score += 0.05
  const around = `${before} ${after}`
  const positive = POSITIVE_CONTEXT.test(around) || POSITIVE_CONTEXT.test(keyContext)
  const negative = NEGATIVE_CONTEXT.test(around) || NEGATIVE_CONTEXT.test(keyContext)
  if (positive) score += 0.4
  else if (negative) score -= 0.5
  return Math.min(1, score)
}

function scanText(ctx: Ctx, text: string, path: string, keyContext: string): void {
  for (const m of text.matchAll(CPR_IN_TEXT)) {
    const digits = `${m[1]}${m[3]}`
    const at = m.index ?? 0
    const before = text.slice(Math.max(0, at - CONTEXT_BEFORE), at)
    const after = text.slice(at + m[0].length, at + m[0].length + CONTEXT_AFTER)
    const confidence = cprScore(digits, m[2] ?? '', before, after, keyContext)
    if (confidence > 0) {
      add(ctx, {
        kind: 'cpr',
        path,
        confidence,
        reason: `ten digits forming a valid CPR date${modulus11(digits) ? ', modulus-11 holds' : ''}`,
        masked: '******-****',
      })
    }
  }
  if (/[\w.+-]+@[\w-]+\.[a-z]{2,}/i.test(text)) {
    add(ctx, { kind: 'email', path, confidence: 0.9, reason: 'e-mail address', masked: '***@***' })
  }
  if (ctx.names.length) {
    const folded = fold(text)
    for (const n of ctx.names) {
      n.re.lastIndex = 0
      if (n.re.test(folded)) {
        add(ctx, {
          kind: 'name',
          path,
          confidence: n.confidence,
          reason: `${n.what} of a citizen of the case`,
          masked: '***',
        })
      }
    }
  }
  if (ctx.freeText) {
    const words = text.match(/\p{L}{2,}/gu) ?? []
    if (words.length >= 3 && /\p{L}{2,}[\s,.;:]+\p{L}{2,}[\s,.;:]+\p{L}{2,}/u.test(text)) {
      add(ctx, {
        kind: 'free_text',
        path,
        confidence: 0.6,
        reason: 'reads like free text',
        masked: `${words.length} words`,
      })
    }
  }
}

function scanInteger(ctx: Ctx, value: bigint, path: string, keyContext: string, source: string): void {
  if (value < 100_000_000n || value >= 10_000_000_000n) return
  const digits = value.toString().padStart(10, '0')
  const confidence = cprScore(digits, '', '', '', keyContext)
  if (confidence > 0) {
    add(ctx, {
      kind: 'cpr',
      path,
      confidence,
      reason: `${source} whose ten digits form a valid CPR date${modulus11(digits) ? ', modulus-11 holds' : ''}`,
      masked: '******-****',
    })
  }
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Ten-digit windows of a hex word that is only zero padding around decimal digits (BCD-like). */
function bcdCandidates(wordHex: string): string[] {
  const first = wordHex.search(/[1-9a-f]/)
  if (first < 0) return []
  const last =
    wordHex.length -
    1 -
    [...wordHex]
      .reverse()
      .join('')
      .search(/[1-9a-f]/)
  if (last - first + 1 > 10 || !/^\d+$/.test(wordHex.slice(first, last + 1))) return []
  const out: string[] = []
  for (let start = Math.max(0, last - 9); start <= first && start + 10 <= wordHex.length; start++) {
    out.push(wordHex.slice(start, start + 10))
  }
  return out
}

function scanBytes(ctx: Ctx, bytes: Uint8Array, path: string, keyContext: string): void {
  // Printable runs: ABI-encoded strings and bytes, raw UTF-8 in log data.
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes)
  const runs = text.matchAll(/[\p{L}\p{N}\p{P}\p{S}\p{Zs}]{4,}/gu)
  for (const run of runs) scanText(ctx, run[0], `${path}<text@${run.index ?? 0}>`, keyContext)
  // 32-byte words at both alignments: plain ABI data and calldata after a 4-byte selector.
  for (const offset of [0, 4]) {
    for (let i = offset; i + 32 <= bytes.length; i += 32) {
      const word = bytes.subarray(i, i + 32)
      let hex = ''
      for (const b of word) hex += b.toString(16).padStart(2, '0')
      scanInteger(ctx, BigInt(`0x${hex}`), `${path}<hex@${i}>`, keyContext, 'a 32-byte word')
      for (const bcd of bcdCandidates(hex)) {
        scanInteger(ctx, BigInt(bcd), `${path}<hex@${i}>`, keyContext, 'hex digits in a word')
      }
    }
  }
  if (bytes.length < 32) {
    let hex = ''
    for (const b of bytes) hex += b.toString(16).padStart(2, '0')
    for (const bcd of bcdCandidates(hex)) scanInteger(ctx, BigInt(bcd), path, keyContext, 'hex digits')
  }
}

function walk(ctx: Ctx, value: unknown, path: string, keyContext: string, depth: number): void {
  if (depth > 64) return
  if (typeof value === 'string') {
    if (/^0x([0-9a-fA-F]{2})+$/.test(value)) scanBytes(ctx, hexToBytes(value.slice(2)), path, keyContext)
    else scanText(ctx, value, path, keyContext)
  } else if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) scanInteger(ctx, BigInt(value), path, keyContext, 'a number')
  } else if (typeof value === 'bigint') {
    scanInteger(ctx, value, path, keyContext, 'a number')
  } else if (value instanceof Uint8Array) {
    scanBytes(ctx, value, path, keyContext)
  } else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(ctx, v, `${path}[${i}]`, keyContext, depth + 1)
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const childPath = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`
      // Keys are data too (a CPR used as a map key is still a CPR) — but not free text.
      const keyCtx: Ctx = { ...ctx, freeText: false, findings: ctx.findings }
      scanText(keyCtx, k, `${childPath}<key>`, '')
      walk(ctx, v, childPath, k, depth + 1)
    }
  }
}

/** Every finding at or above the threshold, in payload order. */
export function scanForPersonalData(payload: unknown, opts: ScanOptions = {}): Finding[] {
  const ctx: Ctx = {
    findings: [],
    names: namePatterns(opts.names ?? []),
    freeText: opts.freeText ?? true,
    threshold: opts.threshold ?? 0.5,
  }
  walk(ctx, payload, '$', '', 0)
  // One finding per (kind, path): several rules may see the same value.
  const best = new Map<string, Finding>()
  for (const f of ctx.findings) {
    const k = `${f.kind}\u0000${f.path}`
    const prev = best.get(k)
    if (!prev || prev.confidence < f.confidence) best.set(k, f)
  }
  return [...best.values()]
}

/** Throws {@link PersonalDataError} (code PERSONAL_DATA_IN_PAYLOAD) when the payload has any finding. */
export function assertNoPersonalData(payload: unknown, opts: ScanOptions = {}): void {
  const findings = scanForPersonalData(payload, opts)
  if (findings.length) throw new PersonalDataError(findings)
}
