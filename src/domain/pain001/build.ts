/**
 * ISO 20022 pain.001.001.09 (CustomerCreditTransferInitiationV09): one file per payment run, one PmtInf
 * for the municipality's (debtor's) account, one CdtTrfTxInf per payment.
 *
 * Creditor accounts: an IBAN goes in CdtrAcct/Id/IBAN. A Danish domestic account given as reg.nr + account
 * number follows the Danish CGI implementation guideline for domestic transfers ("Direct Credit With
 * Advice On Statement"): the account number in CdtrAcct/Id/Othr/Id with SchmeNm/Cd `BBAN`, and the reg.nr
 * as the creditor agent's clearing-system member id under the Danish national clearing code `DKNCC`
 * (CdtrAgt/FinInstnId/ClrSysMmbId). `BBAN` is an ISO external code (ExternalAccountIdentification1Code),
 * so Cd rather than Prtry. A debtor agent without a BIC is written as FinInstnId/Othr/Id `NOTPROVIDED`.
 */
import { create } from 'xmlbuilder2'
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js'
import { type IsoDate, isIsoDate, type Period, periodCompact } from '../calendar.ts'
import { formatIso, type Ore } from '../money.ts'
import { isDanishAccountNumber, isDanishRegNr, isValidBic, isValidIban, normaliseIban } from './accounts.ts'

export const PAIN001_NAMESPACE = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09'
export const PAYMENT_CURRENCY = 'DKK'

export interface PaymentFileDebtor {
  name: string
  iban: string
  bic?: string
}

export interface PaymentFileCreditor {
  name: string
  iban?: string
  /** Danish registration number (4 digits), with `account`, when there is no IBAN. */
  regNr?: string
  account?: string
  bic?: string
}

export interface PaymentFilePayment {
  endToEndId: string
  amountOre: Ore
  creditor: PaymentFileCreditor
  /** Unstructured remittance text the creditor sees (≤ 140 characters; no personal data). */
  remittance: string
}

export interface PaymentFileInput {
  msgId: string
  createdAt: Date
  executionDate: IsoDate
  debtor: PaymentFileDebtor
  /** Defaults to the debtor's name. */
  initiatingPartyName?: string
  payments: readonly PaymentFilePayment[]
}

export interface PaymentFile {
  xml: string
  nbOfTxs: number
  /** Control sum in øre. */
  ctrlSum: Ore
  /** The same, as written in the file (`72500.00`). */
  ctrlSumText: string
}

export class PaymentFileError extends Error {
  readonly code = 'PAYMENT_FILE_INVALID'
  constructor(readonly issues: string[]) {
    super(`Payment file rejected: ${issues.join('; ')}`)
    this.name = 'PaymentFileError'
  }
}

/** ISO Max35Text, further kept to characters every bank's clearing accepts in references. */
const REFERENCE_RE = /^[A-Za-z0-9/\-?:().,'+]{1,35}$/
// XML 1.0 forbids most control characters; a name or text containing them is bad input, not something to escape.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/

export function isValidReference(value: string): boolean {
  return REFERENCE_RE.test(value) && !value.startsWith('/') && !value.endsWith('/') && !value.includes('//')
}

/**
 * EndToEndId traceable to agreement and month: `T` + the first 24 hex digits of the agreement id + `-` +
 * YYYYMM, plus an optional short suffix (e.g. `I` for an invoice) — at most 35 characters.
 */
export function endToEndIdFor(agreementId: string, period: Period, suffix = ''): string {
  const hex = agreementId.replace(/^0x/i, '').toUpperCase()
  if (!/^[0-9A-F]{24,}$/.test(hex))
    throw new RangeError(`Agreement id must be hex (≥ 24 digits): ${agreementId}`)
  if (!/^[A-Z0-9]{0,3}$/.test(suffix)) throw new RangeError(`Suffix must be ≤ 3 letters/digits: ${suffix}`)
  return `T${hex.slice(0, 24)}-${periodCompact(period)}${suffix}`
}

function checkText(issues: string[], label: string, value: string | undefined, max: number): void {
  if (value === undefined || value.trim() === '') issues.push(`${label} is required`)
  else if ([...value].length > max) issues.push(`${label} is longer than ${max} characters`)
  else if (CONTROL_RE.test(value)) issues.push(`${label} contains control characters`)
}

/** Every problem with the input, so a caller can show them all at once; empty when the input is usable. */
export function paymentFileIssues(input: PaymentFileInput): string[] {
  const issues: string[] = []
  if (!isValidReference(input.msgId)) issues.push('msgId must be 1–35 reference characters')
  if (!(input.createdAt instanceof Date) || Number.isNaN(input.createdAt.getTime())) {
    issues.push('createdAt must be a valid Date')
  }
  if (!isIsoDate(input.executionDate)) issues.push('executionDate must be a date YYYY-MM-DD')
  checkText(issues, 'debtor.name', input.debtor.name, 140)
  if (input.initiatingPartyName !== undefined)
    checkText(issues, 'initiatingPartyName', input.initiatingPartyName, 140)
  if (!isValidIban(input.debtor.iban)) issues.push('debtor.iban is not a valid IBAN')
  if (input.debtor.bic !== undefined && !isValidBic(input.debtor.bic))
    issues.push('debtor.bic is not a valid BIC')
  if (input.payments.length === 0) issues.push('a payment file needs at least one payment')
  const seen = new Set<string>()
  input.payments.forEach((p, i) => {
    const at = `payments[${i}]`
    if (!isValidReference(p.endToEndId)) issues.push(`${at}.endToEndId must be 1–35 reference characters`)
    else if (seen.has(p.endToEndId)) issues.push(`${at}.endToEndId ${p.endToEndId} is not unique in the file`)
    seen.add(p.endToEndId)
    if (typeof p.amountOre !== 'bigint') issues.push(`${at}.amountOre must be a bigint (øre)`)
    else if (p.amountOre <= 0n) issues.push(`${at}.amountOre must be greater than 0`)
    else if (p.amountOre > 99_999_999_999_999_99n) issues.push(`${at}.amountOre is too large`)
    checkText(issues, `${at}.creditor.name`, p.creditor.name, 140)
    checkText(issues, `${at}.remittance`, p.remittance, 140)
    const { iban, regNr, account, bic } = p.creditor
    if (iban !== undefined) {
      if (!isValidIban(iban)) issues.push(`${at}.creditor.iban is not a valid IBAN`)
      if (regNr !== undefined || account !== undefined)
        issues.push(`${at}.creditor: give either iban or regNr+account`)
    } else if (regNr === undefined || account === undefined) {
      issues.push(`${at}.creditor needs an iban or a Danish regNr + account`)
    } else {
      if (!isDanishRegNr(regNr)) issues.push(`${at}.creditor.regNr must be 4 digits`)
      if (!isDanishAccountNumber(account)) issues.push(`${at}.creditor.account must be 1–10 digits`)
    }
    if (bic !== undefined && !isValidBic(bic)) issues.push(`${at}.creditor.bic is not a valid BIC`)
  })
  return issues
}

/** xs:dateTime in UTC without fractional seconds: 2026-03-01T07:00:00Z. */
function isoDateTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`
}

function debtorAgent(pmtInf: XMLBuilder, bic: string | undefined): void {
  const fin = pmtInf.ele('DbtrAgt').ele('FinInstnId')
  if (bic) fin.ele('BICFI').txt(bic)
  else fin.ele('Othr').ele('Id').txt('NOTPROVIDED')
}

function creditorParts(tx: XMLBuilder, p: PaymentFilePayment): void {
  const c = p.creditor
  if (c.bic || c.regNr) {
    const fin = tx.ele('CdtrAgt').ele('FinInstnId')
    if (c.bic) fin.ele('BICFI').txt(c.bic)
    if (c.regNr) {
      const mmb = fin.ele('ClrSysMmbId')
      mmb.ele('ClrSysId').ele('Cd').txt('DKNCC')
      mmb.ele('MmbId').txt(c.regNr)
    }
  }
  tx.ele('Cdtr').ele('Nm').txt(c.name)
  const id = tx.ele('CdtrAcct').ele('Id')
  if (c.iban) id.ele('IBAN').txt(normaliseIban(c.iban))
  else {
    const othr = id.ele('Othr')
    othr.ele('Id').txt(c.account!)
    othr.ele('SchmeNm').ele('Cd').txt('BBAN')
  }
}

/**
 * Builds the file. Throws PaymentFileError listing every problem when the input is not usable; the
 * result still has to pass {@link validatePain001} and the XSD before it is written (services/paymentFile).
 */
export function buildPaymentFile(input: PaymentFileInput): PaymentFile {
  const issues = paymentFileIssues(input)
  if (issues.length > 0) throw new PaymentFileError(issues)
  let ctrlSum = 0n
  for (const p of input.payments) ctrlSum += p.amountOre
  const nbOfTxs = input.payments.length
  const ctrlSumText = formatIso(ctrlSum)

  const doc = create({ version: '1.0', encoding: 'UTF-8' })
  const root = doc.ele(PAIN001_NAMESPACE, 'Document').ele('CstmrCdtTrfInitn')
  const hdr = root.ele('GrpHdr')
  hdr.ele('MsgId').txt(input.msgId)
  hdr.ele('CreDtTm').txt(isoDateTime(input.createdAt))
  hdr.ele('NbOfTxs').txt(String(nbOfTxs))
  hdr.ele('CtrlSum').txt(ctrlSumText)
  hdr
    .ele('InitgPty')
    .ele('Nm')
    .txt(input.initiatingPartyName ?? input.debtor.name)

  // One debtor account per run, so one PmtInf; its id only has to be unique within the message.
  const pmt = root.ele('PmtInf')
  pmt.ele('PmtInfId').txt(input.msgId)
  pmt.ele('PmtMtd').txt('TRF')
  pmt.ele('NbOfTxs').txt(String(nbOfTxs))
  pmt.ele('CtrlSum').txt(ctrlSumText)
  pmt.ele('ReqdExctnDt').ele('Dt').txt(input.executionDate)
  pmt.ele('Dbtr').ele('Nm').txt(input.debtor.name)
  const dbtrAcct = pmt.ele('DbtrAcct')
  dbtrAcct.ele('Id').ele('IBAN').txt(normaliseIban(input.debtor.iban))
  dbtrAcct.ele('Ccy').txt(PAYMENT_CURRENCY)
  debtorAgent(pmt, input.debtor.bic)

  for (const p of input.payments) {
    const tx = pmt.ele('CdtTrfTxInf')
    tx.ele('PmtId').ele('EndToEndId').txt(p.endToEndId)
    tx.ele('Amt').ele('InstdAmt', { Ccy: PAYMENT_CURRENCY }).txt(formatIso(p.amountOre))
    creditorParts(tx, p)
    tx.ele('RmtInf').ele('Ustrd').txt(p.remittance)
  }

  return { xml: doc.end({ prettyPrint: true }), nbOfTxs, ctrlSum, ctrlSumText }
}
