/**
 * Agreement templates: the defaults a municipality drafts from. Terms follow KL's standard contract
 * for the specialised children's area (notice periods per party, payment in arrears on the 1st of
 * the next month) and the scenario's obligations: a status report every 3 months, 14 days' grace.
 */
import { type Hex, keccak256, stringToBytes } from 'viem'
import type { ApiLineInput } from './agreements/model.ts'

export interface TemplateTerms {
  municipalityNoticeDays: number
  providerNoticeDays: number
  paymentTiming: 'arrears' | 'advance'
  /** Days after the month's payment date (the 1st of the next month) that payment is due. */
  paymentDeadlineDays: number
}

export interface Template {
  id: string
  name: string
  /** KLE class the template is meant for. */
  kle: string
  reportEveryMonths: number
  graceDays: number
  terms: TemplateTerms
  /** Example lines the web app offers to start from (prices are the user's to set). */
  lines: ApiLineInput[]
}

const KL_TERMS: TemplateTerms = {
  municipalityNoticeDays: 30,
  providerNoticeDays: 90,
  paymentTiming: 'arrears',
  paymentDeadlineDays: 0,
}

export const templates: readonly Template[] = [
  {
    id: 'placement',
    name: 'Anbringelse uden for hjemmet (botilbud)',
    kle: '27.24.00',
    reportEveryMonths: 3,
    graceDays: 14,
    terms: KL_TERMS,
    lines: [
      {
        name: 'Ophold',
        priceOre: '0',
        unit: 'month',
        schedule: { kind: 'monthly' },
        start: '2026-02-01',
        arrangedBy: 'provider',
      },
      {
        name: 'Skoledel',
        priceOre: '0',
        unit: 'month',
        schedule: { kind: 'monthly' },
        start: '2026-02-01',
        arrangedBy: 'provider',
      },
    ],
  },
  {
    id: 'contact-supervision',
    name: 'Overvåget samvær',
    kle: '27.12.00',
    reportEveryMonths: 3,
    graceDays: 14,
    terms: KL_TERMS,
    lines: [
      {
        name: 'Overvåget samvær',
        priceOre: '0',
        unit: 'hour',
        schedule: { kind: 'sessions', hours: 4, everyWeeks: 2, weekday: 7, from: '2026-02-01' },
        start: '2026-02-01',
        arrangedBy: 'provider',
      },
    ],
  },
]

export function listTemplates(): readonly Template[] {
  return templates
}

export function templateById(id: string): Template | undefined {
  return templates.find((t) => t.id === id)
}

/** The template's id on the ledger (bytes32). */
export function templateChainId(id: string): Hex {
  return keccak256(stringToBytes(`template:${id}:v1`))
}
