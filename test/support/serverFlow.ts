/**
 * An agreement's life on an external ledger in real time (no clock moves): drafted to start on the
 * first of next month, signed by both parties, approved by two centre chiefs, then reported on.
 * Chain-level like chainScenario.ts, but parametrised by municipality and provider, so two
 * municipalities can share one provider on one chain.
 */
import { type Hex, keccak256, stringToHex } from 'viem'
import { dateToUnixSeconds, type IsoDate } from '../../src/domain/calendar.ts'
import type { ServiceContext } from '../../src/services/context.ts'
import { ensureApprovalPolicy } from '../../src/services/demoData.ts'
import { readContract, writeContract } from '../../src/services/ledgerWrites.ts'
import { asMember, ensureOrganisation } from '../../src/services/membership.ts'
import { testActor } from './instance.ts'

export interface Org {
  id: string
  kind: 'municipality' | 'provider'
  code: string
  name: string
}

export const org = (kind: Org['kind'], code: string, name: string): Org => ({ id: code, kind, code, name })

export function municipalityActors(municipality: Org) {
  return {
    caseworker: testActor({ role: 'caseworker', organisation: municipality }),
    chief1: testActor({ role: 'centre_chief', organisation: municipality }),
    chief2: testActor({ role: 'centre_chief', organisation: municipality }),
    finance: testActor({ role: 'finance', organisation: municipality }),
  }
}

/** The first day of next month (UTC), the earliest start a draft made today can always have. */
export function firstOfNextMonth(now = new Date()): IsoDate {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))
  return d.toISOString().slice(0, 10) as IsoDate
}

export const AGREEMENT_ACTIVE = 4

/** Drafts, signs and approves agreement `id` (monthly 52,000 kr: above the approval threshold). */
export async function liveAgreement(
  ctx: ServiceContext,
  id: Hex,
  municipality: Org,
  m: ReturnType<typeof municipalityActors>,
  provider: Org,
  signatory: ReturnType<typeof testActor>,
): Promise<void> {
  const start = dateToUnixSeconds(firstOfNextMonth())
  await ensureOrganisation(ctx, 'provider', provider.code)
  await ensureApprovalPolicy(ctx, municipality.code)
  await asMember(ctx, m.caseworker, (acc) =>
    writeContract(ctx, acc, 'registry', 'draftAgreement', [
      id,
      {
        municipality: Number(municipality.code),
        provider: Number(provider.code),
        caseRef: keccak256(stringToHex(`salted case ref ${id}`)),
        kle: 272400,
        templateId: keccak256(stringToHex('template')),
        mainAgreement: `0x${'0'.repeat(64)}`,
        start,
        terms: {
          municipalityNoticeDays: 30,
          providerNoticeDays: 90,
          paymentTiming: 0,
          paymentDeadlineDays: 0,
          reportEveryMonths: 3,
          reportGraceDays: 14,
        },
      },
      [
        {
          price: 5_200_000n,
          unit: 0,
          schedule: { kind: 0, hoursPerSession: 0, everyWeeks: 0, weekday: 0, anchor: 0n },
          start,
          end: 0n,
          arrangedBy: 1,
          reviewDate: 0n,
        },
      ],
    ]),
  )
  for (const who of [m.caseworker, signatory]) {
    await asMember(ctx, who, (acc) => writeContract(ctx, acc, 'registry', 'signVersion', [id, 1]))
  }
  for (const who of [m.chief1, m.chief2]) {
    await asMember(ctx, who, (acc) => writeContract(ctx, acc, 'registry', 'approveVersion', [id, 1]))
  }
}

export async function agreementStatus(ctx: ServiceContext, id: Hex): Promise<number> {
  const a = (await readContract(ctx, 'registry', 'getAgreement', [id])) as { status: number }
  return a.status
}
