/**
 * The project's own checks of a pain.001.001.09 file — what the XSD cannot say: the XSD allows five
 * decimals and does not check totals. Run together with the XSD before any file is written.
 */
import { create } from 'xmlbuilder2'
import { formatIso, type Ore, parseIso2 } from '../money.ts'
import { isValidReference, PAIN001_NAMESPACE, PAYMENT_CURRENCY } from './build.ts'

export type Pain001Check = { ok: true; nbOfTxs: number; ctrlSum: Ore } | { ok: false; errors: string[] }

// Minimal DOM surface of xmlbuilder2's parsed document.
interface El {
  localName: string
  namespaceURI: string | null
  textContent: string | null
  getAttribute(name: string): string | null
  children: ArrayLike<El>
}

function kids(el: El, name: string): El[] {
  return Array.from(el.children).filter((c) => c.localName === name && c.namespaceURI === PAIN001_NAMESPACE)
}

function kid(el: El | undefined, name: string): El | undefined {
  return el ? kids(el, name)[0] : undefined
}

function text(el: El | undefined): string | undefined {
  return el?.textContent ?? undefined
}

/** Reads a two-decimal amount, recording an error instead of throwing. */
function amount(errors: string[], label: string, value: string | undefined): Ore | null {
  if (value === undefined) {
    errors.push(`${label} is missing`)
    return null
  }
  try {
    return parseIso2(value)
  } catch {
    errors.push(`${label} "${value}" must have exactly two decimals`)
    return null
  }
}

function digitCount(ore: Ore): number {
  return formatIso(ore < 0n ? -ore : ore)
    .replace('.', '')
    .replace(/^0+(?=\d)/, '').length
}

/**
 * Checks: the namespace; GrpHdr NbOfTxs and CtrlSum equal the transactions (and each PmtInf's own, when
 * given); every amount in DKK with exactly two decimals and greater than 0; EndToEndIds present, ≤ 35
 * reference characters and unique in the file; MsgId present.
 */
export function validatePain001(xml: string): Pain001Check {
  const errors: string[] = []
  let root: El
  try {
    root = (create(xml).node as unknown as { documentElement: El }).documentElement
  } catch (e) {
    return { ok: false, errors: [`Not well-formed XML: ${(e as Error).message}`] }
  }
  if (root?.localName !== 'Document' || root.namespaceURI !== PAIN001_NAMESPACE) {
    return { ok: false, errors: [`Root must be Document in ${PAIN001_NAMESPACE}`] }
  }
  const initn = kid(root, 'CstmrCdtTrfInitn')
  const hdr = kid(initn, 'GrpHdr')
  if (!initn || !hdr) return { ok: false, errors: ['CstmrCdtTrfInitn/GrpHdr is missing'] }

  const msgId = text(kid(hdr, 'MsgId'))
  if (!msgId || !isValidReference(msgId)) errors.push('GrpHdr/MsgId must be 1–35 reference characters')

  const seen = new Set<string>()
  let count = 0
  let total = 0n
  const pmtInfs = kids(initn, 'PmtInf')
  if (pmtInfs.length === 0) errors.push('no PmtInf')
  pmtInfs.forEach((pmt, i) => {
    const txs = kids(pmt, 'CdtTrfTxInf')
    if (txs.length === 0) errors.push(`PmtInf[${i}] has no transactions`)
    let sum = 0n
    txs.forEach((tx, j) => {
      const at = `PmtInf[${i}]/CdtTrfTxInf[${j}]`
      const e2e = text(kid(kid(tx, 'PmtId'), 'EndToEndId'))
      if (!e2e || !isValidReference(e2e)) errors.push(`${at}/EndToEndId must be 1–35 reference characters`)
      else if (seen.has(e2e)) errors.push(`${at}/EndToEndId ${e2e} is not unique`)
      if (e2e) seen.add(e2e)
      const instd = kid(kid(tx, 'Amt'), 'InstdAmt')
      if (!instd) {
        errors.push(`${at}/Amt/InstdAmt is missing`)
        return
      }
      const ccy = instd.getAttribute('Ccy')
      if (ccy !== PAYMENT_CURRENCY)
        errors.push(`${at} currency is ${ccy ?? 'missing'}, not ${PAYMENT_CURRENCY}`)
      const a = amount(errors, `${at}/Amt/InstdAmt`, text(instd))
      if (a === null) return
      if (a <= 0n) errors.push(`${at}/Amt/InstdAmt must be greater than 0`)
      sum += a
    })
    const nb = text(kid(pmt, 'NbOfTxs'))
    if (nb !== undefined && nb !== String(txs.length)) {
      errors.push(`PmtInf[${i}]/NbOfTxs is ${nb} but it has ${txs.length} transactions`)
    }
    const cs = text(kid(pmt, 'CtrlSum'))
    if (cs !== undefined) {
      const c = amount(errors, `PmtInf[${i}]/CtrlSum`, cs)
      if (c !== null && c !== sum)
        errors.push(`PmtInf[${i}]/CtrlSum is ${cs} but its transactions sum to ${formatIso(sum)}`)
    }
    count += txs.length
    total += sum
  })

  const nbText = text(kid(hdr, 'NbOfTxs'))
  if (nbText !== String(count))
    errors.push(`GrpHdr/NbOfTxs is ${nbText ?? 'missing'} but the file has ${count} transactions`)
  const ctrl = amount(errors, 'GrpHdr/CtrlSum', text(kid(hdr, 'CtrlSum')))
  if (ctrl !== null && ctrl !== total) {
    errors.push(`GrpHdr/CtrlSum is ${formatIso(ctrl)} but the transactions sum to ${formatIso(total)}`)
  }
  if (digitCount(total) > 18) errors.push('The control sum has more than 18 digits')

  return errors.length > 0 ? { ok: false, errors } : { ok: true, nbOfTxs: count, ctrlSum: total }
}
