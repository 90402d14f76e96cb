/**
 * The scenario's parties and agreements driven straight on the contracts (as contracts/test/Fixture.sol
 * does), for service tests that need agreements without going through the agreement API.
 */
import { type Hex, keccak256, stringToHex } from 'viem'
import { dateToUnixSeconds, type IsoDate } from '../../src/domain/calendar.ts'
import type { ServiceContext } from '../../src/services/context.ts'
import { writeContract } from '../../src/services/ledgerWrites.ts'
import { asMember, ensureOrganisation } from '../../src/services/membership.ts'
import { testActor } from './instance.ts'

export const day = (d: IsoDate) => dateToUnixSeconds(d)
const org = (kind: 'municipality' | 'provider', code: string, name: string) => ({
  id: code,
  kind,
  code,
  name,
})
export const HTK = org('municipality', '169', 'Høje-Taastrup Kommune')
export const OESTERVOLD = org('provider', '31457823', 'Østervold')
export const SAMVAER = org('provider', '38726415', 'Samværskonsulenterne ApS')

export function scenarioActors() {
  return {
    sara: testActor({ role: 'caseworker', organisation: HTK }),
    bo: testActor({ role: 'centre_chief', organisation: HTK }),
    lis: testActor({ role: 'centre_chief', organisation: HTK }),
    dorte: testActor({ role: 'director', organisation: HTK }),
    finn: testActor({ role: 'finance', organisation: HTK }),
    ole: testActor({ role: 'provider_signatory', organisation: OESTERVOLD }),
    sanne: testActor({ role: 'provider_signatory', organisation: SAMVAER }),
  }
}
export type ScenarioActors = ReturnType<typeof scenarioActors>

export const PLACEMENT = keccak256(stringToHex('test:placement')) as Hex
export const CONTACT = keccak256(stringToHex('test:contact')) as Hex

const terms = {
  municipalityNoticeDays: 30,
  providerNoticeDays: 90,
  paymentTiming: 0,
  paymentDeadlineDays: 0,
  reportEveryMonths: 3,
  reportGraceDays: 14,
} as const
const monthly = (price: bigint, start: IsoDate, end?: IsoDate, review?: IsoDate) => ({
  price,
  unit: 0,
  schedule: { kind: 0, hoursPerSession: 0, everyWeeks: 0, weekday: 0, anchor: 0n },
  start: day(start),
  end: end ? day(end) : 0n,
  arrangedBy: 1,
  reviewDate: review ? day(review) : 0n,
})

export async function moveTo(ctx: ServiceContext, date: IsoDate) {
  const t = Number(day(date)) + 8 * 3600
  if (t > ctx.ledger.now()) await ctx.ledger.advanceTo(t)
}

/** Steps 1–5: both agreements drafted, signed and approved, active from 2026-02-01. */
export async function activateScenario(ctx: ServiceContext, a: ScenarioActors) {
  await moveTo(ctx, '2026-01-12')
  // A draft names the provider, so its organisation must be in the directory first.
  await ensureOrganisation(ctx, 'provider', OESTERVOLD.code)
  await ensureOrganisation(ctx, 'provider', SAMVAER.code)
  const draft = (provider: number, kle: number, main: Hex) => ({
    municipality: 169,
    provider,
    caseRef: keccak256(stringToHex('salted case ref')),
    kle,
    templateId: keccak256(stringToHex('template')),
    mainAgreement: main,
    start: day('2026-02-01'),
    terms,
  })
  await asMember(ctx, a.sara, (acc) =>
    writeContract(ctx, acc, 'registry', 'draftAgreement', [
      PLACEMENT,
      draft(31457823, 272400, `0x${'0'.repeat(64)}`),
      [
        monthly(5_200_000n, '2026-02-01'),
        monthly(1_400_000n, '2026-02-01'),
        monthly(650_000n, '2026-02-01', '2026-04-30'),
      ],
    ]),
  )
  await asMember(ctx, a.sara, (acc) =>
    writeContract(ctx, acc, 'registry', 'draftAgreement', [
      CONTACT,
      draft(38726415, 271200, PLACEMENT),
      [
        {
          price: 65_000n,
          unit: 1,
          schedule: { kind: 1, hoursPerSession: 4, everyWeeks: 2, weekday: 7, anchor: day('2026-02-01') },
          start: day('2026-02-01'),
          end: 0n,
          arrangedBy: 1,
          reviewDate: 0n,
        },
      ],
    ]),
  )
  await moveTo(ctx, '2026-01-14')
  for (const [who, id] of [
    [a.sara, PLACEMENT],
    [a.ole, PLACEMENT],
    [a.sara, CONTACT],
    [a.sanne, CONTACT],
  ] as const) {
    await asMember(ctx, who, (acc) => writeContract(ctx, acc, 'registry', 'signVersion', [id, 1]))
  }
  await moveTo(ctx, '2026-01-15')
  await asMember(ctx, a.bo, (acc) => writeContract(ctx, acc, 'registry', 'approveVersion', [PLACEMENT, 1]))
  await moveTo(ctx, '2026-01-16')
  await asMember(ctx, a.lis, (acc) => writeContract(ctx, acc, 'registry', 'approveVersion', [PLACEMENT, 1]))
}

/** Step 6: school support 9,800 kr/month 2026-03-01..05-31 as version 2. */
export async function amendScenario(ctx: ServiceContext, a: ScenarioActors) {
  await moveTo(ctx, '2026-03-01')
  await asMember(ctx, a.sara, (acc) =>
    writeContract(ctx, acc, 'registry', 'proposeAmendment', [
      PLACEMENT,
      [monthly(980_000n, '2026-03-01', '2026-05-31', '2026-05-15')],
      [],
    ]),
  )
  for (const who of [a.sara, a.ole]) {
    await asMember(ctx, who, (acc) => writeContract(ctx, acc, 'registry', 'signVersion', [PLACEMENT, 2]))
  }
}

export async function invoice(
  ctx: ServiceContext,
  a: ScenarioActors,
  period: number,
  hours: number,
  ref: string,
) {
  await asMember(ctx, a.sanne, (acc) =>
    writeContract(ctx, acc, 'payments', 'submitInvoice', [
      CONTACT,
      0,
      period,
      hours,
      keccak256(stringToHex(ref)),
    ]),
  )
}

export async function report(ctx: ServiceContext, who: ScenarioActors['ole'], id: Hex, text: string) {
  await asMember(ctx, who, (acc) =>
    writeContract(ctx, acc, 'obligations', 'submitReport', [id, keccak256(stringToHex(text))]),
  )
}
