/**
 * Projects indexed ledger logs into the read models (rm_*) and the event outbox, inside the indexer's
 * transaction (ledger/indexer.ts `onLogs`), so a log, its read-model rows and its catalogue events
 * commit together or not at all. Idempotent: read models are upserts keyed by on-chain ids, and the
 * indexer hands each log over exactly once (it commits its cursor in the same transaction).
 * Logs of agreements Tillid does not know off-chain (drafted by another installation) are skipped.
 */
import { createHash } from 'node:crypto'
import type { Transaction } from 'kysely'
import { periodEnd, periodFromChain, periodStart, unixSecondsToDate } from '../domain/calendar.ts'
import type { NewEvent } from '../events/catalogue.ts'
import { parsePayload } from '../events/catalogue.ts'
import { appendEvent } from '../events/outbox.ts'
import type { IndexedLog } from '../ledger/indexer.ts'
import type { Database } from '../store/schema.ts'
import { refreshLedgerFacts } from './analytics/ledgerFacts.ts'
import { ESDH_CREATOR_PREFIX } from './esdhInbound.ts'

type Trx = Transaction<Database>

const AGREEMENT_STATE: Record<string, string> = {
  AgreementDrafted: 'Draft',
  VersionAwaitingApproval: 'AwaitingApproval',
  VersionAwaitingMain: 'AwaitingMain',
  AgreementActivated: 'Active',
  AgreementTerminated: 'Terminated',
  AgreementExpired: 'Expired',
}

const VERSION_STATE: Record<string, string> = {
  VersionProposed: 'Proposed',
  VersionAwaitingApproval: 'AwaitingApproval',
  VersionAwaitingMain: 'AwaitingMain',
  VersionEffective: 'Effective',
  VersionWithdrawn: 'Withdrawn',
}

const CAUSE = ['mutual', 'municipality', 'provider', 'main-terminated'] as const

interface Known {
  id: string
  case_id: string
  municipality_id: string
  provider_id: string
  template_id: string
  main_agreement_id: string | null
}

const s = (v: unknown) => String(v)
const day = (v: unknown) => unixSecondsToDate(BigInt(s(v)))

async function emit(trx: Trx, event: NewEvent, at: Date, log: IndexedLog): Promise<void> {
  // A payload the catalogue refuses must not stop the indexer: the log is kept in ledger_events and
  // the read models; only the notification is skipped.
  try {
    parsePayload(event.type, event.payload)
  } catch {
    return
  }
  await appendEvent(trx, event, { occurredAt: at, id: eventId(event.type, log) })
}

/** A stable UUID per (log, event type), so a replayed projection cannot emit a different id. */
function eventId(type: string, log: IndexedLog): string {
  const h = createHash('sha256').update(`${type}:${log.blockHash}:${log.logIndex}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}

export async function projectLogs(trx: Trx, logs: IndexedLog[]): Promise<void> {
  const ids = [...new Set(logs.map((l) => l.agreementId?.toLowerCase()).filter((x): x is string => !!x))]
  if (ids.length === 0) return
  const rows = await trx
    .selectFrom('agreements')
    .select([
      'id',
      'chain_id',
      'case_id',
      'municipality_id',
      'provider_id',
      'template_id',
      'main_agreement_id',
    ])
    .where('chain_id', 'in', ids)
    .execute()
  const known = new Map<string, Known>(rows.map((r) => [r.chain_id, r]))
  const signers = await addressesToPeople(
    trx,
    logs.map((l) => l.args.signer ?? l.args.approver).filter((a): a is string => typeof a === 'string'),
  )

  for (const log of logs) {
    const ag = log.agreementId ? known.get(log.agreementId.toLowerCase()) : undefined
    if (!ag) continue
    const a = log.args
    const at = new Date(Number(log.blockTime) * 1000)
    const on = day(log.blockTime)
    const block = log.blockNumber.toString()
    const txHash = log.txHash.toLowerCase()
    const state = AGREEMENT_STATE[log.event]
    const version = a.version === undefined ? undefined : Number(a.version)

    if (log.event === 'AgreementDrafted') {
      await trx
        .insertInto('rm_agreements')
        .values({
          id: ag.id,
          case_id: ag.case_id,
          municipality_id: ag.municipality_id,
          provider_id: ag.provider_id,
          main_agreement_id: ag.main_agreement_id,
          state: 'Draft',
          current_version: 1,
          updated_block: block,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute()
    } else if (
      state &&
      !(log.event === 'VersionAwaitingApproval' && version !== 1) &&
      log.event !== 'VersionAwaitingMain'
    ) {
      await trx
        .updateTable('rm_agreements')
        .set({ state, updated_block: block, updated_at: at })
        .where('id', '=', ag.id)
        .execute()
    } else if (log.event === 'VersionAwaitingMain') {
      await trx
        .updateTable('rm_agreements')
        .set({ state: 'AwaitingMain', updated_block: block })
        .where('id', '=', ag.id)
        .execute()
    }

    const vstate = VERSION_STATE[log.event]
    if (vstate && version !== undefined) {
      if (log.event === 'VersionProposed') {
        await trx
          .insertInto('rm_agreement_versions')
          .values({
            agreement_id: ag.id,
            version,
            terms_hash: txHash,
            effective_from: null,
            state: vstate,
            created_block: block,
          })
          .onConflict((oc) => oc.columns(['agreement_id', 'version']).doUpdateSet({ state: vstate }))
          .execute()
      } else {
        if (log.event === 'VersionEffective') {
          await trx
            .updateTable('rm_agreement_versions')
            .set({ state: 'Superseded' })
            .where('agreement_id', '=', ag.id)
            .where('state', '=', 'Effective')
            .execute()
          await trx
            .insertInto('rm_agreement_versions')
            .values({
              agreement_id: ag.id,
              version,
              terms_hash: txHash,
              effective_from: on,
              state: vstate,
              created_block: block,
            })
            .onConflict((oc) =>
              oc.columns(['agreement_id', 'version']).doUpdateSet({ state: vstate, effective_from: on }),
            )
            .execute()
          await trx
            .updateTable('rm_agreements')
            .set({ current_version: version, updated_block: block })
            .where('id', '=', ag.id)
            .execute()
        } else {
          await trx
            .updateTable('rm_agreement_versions')
            .set({ state: vstate })
            .where('agreement_id', '=', ag.id)
            .where('version', '=', version)
            .execute()
        }
      }
    }

    switch (log.event) {
      case 'VersionProposed':
        if (version === 1) {
          await emit(
            trx,
            {
              type: 'agreement.drafted.v1',
              payload: {
                agreementId: ag.id,
                version: 1,
                caseId: ag.case_id,
                municipalityId: ag.municipality_id,
                providerId: ag.provider_id,
                serviceCode: ag.template_id,
                startDate: on,
                priceOre: s(a.monthlyValue),
                priceUnit: 'month',
              },
            },
            at,
            log,
          )
        }
        break
      case 'VersionSigned':
        await emit(
          trx,
          {
            type: 'agreement.signed.v1',
            payload: {
              agreementId: ag.id,
              version: version!,
              party: Number(a.party) === 0 ? 'municipality' : 'provider',
              signerId: signers.get(s(a.signer).toLowerCase()) ?? s(a.signer),
              signedOn: on,
              txHash,
            },
          },
          at,
          log,
        )
        break
      case 'VersionApproved':
        await emit(
          trx,
          {
            type: 'agreement.approved.v1',
            payload: {
              agreementId: ag.id,
              version: version!,
              approverId: signers.get(s(a.approver).toLowerCase()) ?? s(a.approver),
              approvedOn: on,
              txHash,
            },
          },
          at,
          log,
        )
        break
      case 'AgreementActivated':
        await emit(
          trx,
          {
            type: 'agreement.activated.v1',
            payload: { agreementId: ag.id, version: version ?? 1, effectiveFrom: day(a.start), txHash },
          },
          at,
          log,
        )
        break
      case 'VersionEffective':
        if (version !== undefined && version > 1) {
          await emit(
            trx,
            {
              type: 'agreement.amended.v1',
              payload: {
                agreementId: ag.id,
                version,
                previousVersion: version - 1,
                effectiveFrom: on,
                changes: ['scope'],
                txHash,
              },
            },
            at,
            log,
          )
        }
        break
      case 'AgreementTerminated': {
        const cause = Number(a.cause)
        await emit(
          trx,
          {
            type: 'agreement.terminated.v1',
            payload: {
              agreementId: ag.id,
              version: await currentVersion(trx, ag.id),
              effectiveTo: day(a.effectiveDate),
              reasonCode: CAUSE[cause] ?? 'mutual',
              terminatedBy: cause === 2 ? 'provider' : 'municipality',
              txHash,
            },
          },
          at,
          log,
        )
        break
      }
      case 'AgreementExpired':
        await emit(
          trx,
          {
            type: 'agreement.expired.v1',
            payload: {
              agreementId: ag.id,
              version: await currentVersion(trx, ag.id),
              endDate: day(a.lastDay),
            },
          },
          at,
          log,
        )
        break
      case 'StatusReportSubmitted': {
        const doc = await trx
          .selectFrom('agreement_documents')
          .leftJoin('documents', 'documents.id', 'agreement_documents.document_id')
          .select(['agreement_documents.document_id', 'documents.created_by'])
          .where('agreement_documents.agreement_id', '=', ag.id)
          .where('agreement_documents.anchor', '=', s(a.reportHash).toLowerCase())
          .executeTakeFirst()
        await emit(
          trx,
          {
            type: 'report.received.v1',
            payload: {
              agreementId: ag.id,
              reportId: doc?.document_id ?? eventId('report', log),
              obligationId: `report-${s(a.reportNumber)}`,
              ...(doc ? { documentId: doc.document_id } : {}),
              receivedOn: on,
              // Reports journalised in the municipality's ESDH system arrive through the integration (esdhInbound.ts).
              source: doc?.created_by?.startsWith(ESDH_CREATOR_PREFIX) ? 'esdh' : 'provider',
              anchor: s(a.reportHash).toLowerCase(),
            },
          },
          at,
          log,
        )
        break
      }
      case 'ReportOverdue':
        await emit(
          trx,
          {
            type: 'report.overdue.v1',
            payload: {
              agreementId: ag.id,
              obligationId: `report-${s(a.reportNumber)}`,
              dueDate: day(a.dueDate),
              detectedOn: on,
            },
          },
          at,
          log,
        )
        break
      case 'ReviewDue':
        await emit(
          trx,
          {
            type: 'review.due.v1',
            payload: { agreementId: ag.id, caseId: ag.case_id, dueDate: day(a.reviewDate) },
          },
          at,
          log,
        )
        break
      case 'MonthApproved':
      case 'MonthWithheld':
      case 'MonthReleased':
      case 'PaymentRecorded':
        await projectPayment(trx, ag, log, at, on)
        break
      case 'InvoiceAccepted':
      case 'InvoiceDeviation':
        await projectInvoice(trx, ag, log, at, on)
        break
    }
  }
  // Rollout analytics read their own facts tables: refresh them for every agreement in the batch.
  await refreshLedgerFacts(
    trx,
    [...known].map(([chainId, ag]) => ({ ...ag, chainId })),
  )
}

async function currentVersion(trx: Trx, id: string): Promise<number> {
  const r = await trx
    .selectFrom('rm_agreements')
    .select('current_version')
    .where('id', '=', id)
    .executeTakeFirst()
  return Math.max(1, r?.current_version ?? 1)
}

async function addressesToPeople(trx: Trx, addresses: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(addresses.map((x) => x.toLowerCase()))]
  if (unique.length === 0) return new Map()
  const rows = await trx
    .selectFrom('people')
    .select(['id', 'chain_address'])
    .where('chain_address', 'in', unique)
    .execute()
  return new Map(rows.map((r) => [r.chain_address!, r.id]))
}

async function projectPayment(trx: Trx, ag: Known, log: IndexedLog, at: Date, on: string): Promise<void> {
  const a = log.args
  const period = periodFromChain(Number(a.period))
  const paymentId = `${ag.id}:${period}`
  const amount = s(a.amount)
  const status = (
    {
      MonthApproved: 'approved',
      MonthWithheld: 'withheld',
      MonthReleased: 'released',
      PaymentRecorded: 'paid',
    } as const
  )[log.event as 'MonthApproved']
  const reason =
    log.event === 'MonthWithheld'
      ? `report_overdue:${s(a.reportNumber)}:${day(a.reportDueDate)}:${day(a.overdueSince)}`
      : null
  const values = {
    id: paymentId,
    agreement_id: ag.id,
    line_no: null,
    period,
    amount_ore: amount,
    status,
    reason,
    tx_hash: log.txHash.toLowerCase(),
    block_number: log.blockNumber.toString(),
  }
  await trx
    .insertInto('rm_payments')
    .values(values)
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({
        amount_ore: amount,
        status,
        ...(reason ? { reason } : {}),
        tx_hash: values.tx_hash,
        block_number: values.block_number,
      }),
    )
    .execute()
  const txHash = log.txHash.toLowerCase()
  if (log.event === 'MonthApproved') {
    await emit(
      trx,
      {
        type: 'payment.approved.v1',
        payload: {
          agreementId: ag.id,
          paymentId,
          periodFrom: periodStart(period),
          periodTo: periodEnd(period),
          amountOre: amount,
          dueDate: day(a.paymentDue),
          txHash,
        },
      },
      at,
      log,
    )
  } else if (log.event === 'MonthWithheld') {
    await emit(
      trx,
      {
        type: 'payment.withheld.v1',
        payload: {
          agreementId: ag.id,
          paymentId,
          amountOre: amount,
          reasonCode: 'report-overdue',
          obligationId: `report-${s(a.reportNumber)}`,
          withheldOn: on,
          txHash,
        },
      },
      at,
      log,
    )
  } else if (log.event === 'MonthReleased') {
    await emit(
      trx,
      {
        type: 'payment.released.v1',
        payload: { agreementId: ag.id, paymentId, amountOre: amount, releasedOn: on, txHash },
      },
      at,
      log,
    )
  } else {
    await emit(
      trx,
      {
        type: 'payment.executed.v1',
        payload: {
          agreementId: ag.id,
          paymentId,
          amountOre: amount,
          executedOn: on,
          bankReference: s(a.paymentRef),
        },
      },
      at,
      log,
    )
  }
}

async function projectInvoice(trx: Trx, ag: Known, log: IndexedLog, at: Date, on: string): Promise<void> {
  const a = log.args
  const ref = s(a.invoiceRef).toLowerCase()
  const period = periodFromChain(Number(a.period))
  const off = await trx
    .selectFrom('agreement_invoices')
    .select(['price_ore'])
    .where('invoice_ref', '=', ref)
    .executeTakeFirst()
  const price = BigInt(off?.price_ore ?? '0')
  const accepted = log.event === 'InvoiceAccepted'
  const quantity = BigInt(s(accepted ? a.quantity : a.claimed))
  const amount = accepted ? BigInt(s(a.amount)) : quantity * price
  await trx
    .insertInto('rm_invoices')
    .values({
      id: ref,
      agreement_id: ag.id,
      line_no: Number(a.lineIndex),
      period,
      quantity_milli: (quantity * 1000n).toString(),
      amount_ore: amount.toString(),
      status: accepted ? 'accepted' : 'deviation',
      tx_hash: log.txHash.toLowerCase(),
      block_number: log.blockNumber.toString(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  if (accepted) {
    await emit(
      trx,
      {
        type: 'invoice.accepted.v1',
        payload: {
          agreementId: ag.id,
          invoiceId: ref,
          invoiceNumber: ref,
          periodFrom: periodStart(period),
          periodTo: periodEnd(period),
          amountOre: amount.toString(),
          acceptedOn: on,
        },
      },
      at,
      log,
    )
  } else {
    const expected = BigInt(s(a.expected)) * price
    await emit(
      trx,
      {
        type: 'invoice.deviation.v1',
        payload: {
          agreementId: ag.id,
          invoiceId: ref,
          invoiceNumber: ref,
          invoicedOre: amount.toString(),
          expectedOre: expected.toString(),
          deviationOre: (amount - expected).toString(),
          deviationCode: 'amount',
          detectedOn: on,
        },
      },
      at,
      log,
    )
  }
}
