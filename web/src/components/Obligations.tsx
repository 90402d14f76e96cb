/**
 * What an agreement obliges, with where each stands at the ledger's date: a status report that has
 * fallen due shows its due date and the last day of its grace period, an overdue one since when,
 * a review that is due links to the review decision.
 */
import type { AgreementDetail, Obligation } from '../api.ts'
import { addDays, formatDate } from '../format.ts'
import { Link } from '../router.tsx'
import { keyed } from './ui.tsx'

/** `due` (fallen due, within grace), `overdue`, or `upcoming`, at the ledger date `today`. */
export function reportState(o: Obligation, today: string | undefined): 'due' | 'overdue' | 'upcoming' {
  if (o.overdueSince) return 'overdue'
  if (o.nextDue && today && o.nextDue <= today) return 'due'
  return 'upcoming'
}

function ReportObligation({ o, today }: { o: Obligation; today: string | undefined }) {
  const every = o.everyMonths ? ` hver ${o.everyMonths}. måned` : ''
  const grace = o.graceDays ?? 14
  const state = reportState(o, today)
  return (
    <>
      Statusrapport{every} ({grace} dages frist efter forfald).{' '}
      {state === 'overdue' && o.nextDue && (
        <strong>
          Statusrapporten, der forfaldt {formatDate(o.nextDue)}, er overskredet siden{' '}
          {formatDate(o.overdueSince)}.
        </strong>
      )}
      {state === 'due' && o.nextDue && (
        <strong>
          Forfalden {formatDate(o.nextDue)}, skal afleveres senest {formatDate(addDays(o.nextDue, grace))}.
        </strong>
      )}
      {state === 'upcoming' && (o.nextDue ? `Næste forfalder ${formatDate(o.nextDue)}.` : 'Ingen flere.')}
    </>
  )
}

export function ObligationList({
  agreement,
  today,
  reviewLink,
}: {
  agreement: AgreementDetail
  today: string | undefined
  /** Whether to link a due review to its decision (only for those who decide it). */
  reviewLink?: boolean
}) {
  const list = agreement.obligations ?? []
  if (list.length === 0) {
    return (
      <p>
        {agreement.reportEveryMonths
          ? `Statusrapport hver ${agreement.reportEveryMonths}. måned, ${agreement.graceDays ?? 14} dages frist.`
          : 'Ingen.'}
      </p>
    )
  }
  return (
    <ul aria-label="Forpligtelser">
      {keyed(list).map(([k, o]) => {
        if (o.kind !== 'review')
          return (
            <li key={k}>
              <ReportObligation o={o} today={today} />
            </li>
          )
        const line = agreement.lines.find((l) => l.id === o.lineId)
        const due = !!(o.nextDue && today && o.nextDue <= today)
        return (
          <li key={k}>
            Revurdering af {line?.name ?? 'ydelsen'}: {formatDate(o.nextDue)}.{' '}
            {due && <strong>Revurderingen er forfalden. </strong>}
            {due && reviewLink && (
              <Link
                to={`/aftaler/${encodeURIComponent(agreement.id)}?revurdering=${o.lineId ?? ''}#revurdering`}
              >
                Træf afgørelse
              </Link>
            )}
          </li>
        )
      })}
    </ul>
  )
}
