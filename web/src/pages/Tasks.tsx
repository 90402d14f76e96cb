import { api, type Task, type TaskKind } from '../api.ts'
import { keyed, Loaded, Page, useAsync } from '../components/ui.tsx'
import { formatDate } from '../format.ts'
import { Link } from '../router.tsx'

const kindLabel: Record<TaskKind, string> = {
  sign: 'Underskriv',
  approve: 'Godkend',
  review: 'Revurdering',
  report_due: 'Statusrapport forfalden',
  report_overdue: 'Statusrapport mangler',
  invoice_deviation: 'Afvigelse på faktura',
  contribution: 'Henvendelse fra borger',
}

export function taskHref(t: Task): string {
  if (t.kind === 'contribution' && t.caseId) return `/sager/${encodeURIComponent(t.caseId)}`
  // A review is decided in the form on the agreement page, with its line chosen.
  if (t.kind === 'review' && t.agreementId)
    return `/aftaler/${encodeURIComponent(t.agreementId)}?revurdering=${encodeURIComponent(t.lineId ?? '')}#revurdering`
  if (t.agreementId) return `/aftaler/${encodeURIComponent(t.agreementId)}`
  if (t.caseId) return `/sager/${encodeURIComponent(t.caseId)}`
  return '/opgaver'
}

/** The dates that make a task urgent, in words: due, grace until, overdue since. */
function TaskDue({ t }: { t: Task }) {
  if (t.kind === 'report_due' && t.due)
    return (
      <p className="mb-0">
        Forfaldt {formatDate(t.due)}
        {t.graceUntil ? `; skal afleveres senest ${formatDate(t.graceUntil)}` : ''}.
      </p>
    )
  if (t.kind === 'report_overdue' && t.due)
    return (
      <p className="mb-0">
        Forfaldt {formatDate(t.due)}
        {t.overdueSince ? `; overskredet siden ${formatDate(t.overdueSince)}` : ''}. Betalingen tilbageholdes,
        til rapporten er modtaget.
      </p>
    )
  if (t.kind === 'review' && t.due)
    return (
      <p className="mb-0">
        Revurderingen forfaldt {formatDate(t.due)}. Beslut om ydelsen skal fortsætte, justeres eller
        afsluttes.
      </p>
    )
  return t.due ? <p className="mb-0">Frist: {formatDate(t.due)}</p> : null
}

function TaskCard({ t }: { t: Task }) {
  return (
    <>
      <p className="mb-2">
        <span className="badge badge-info">{kindLabel[t.kind] ?? t.kind}</span>
      </p>
      <p className="mb-2">
        <Link to={taskHref(t)}>{t.title}</Link>
      </p>
      <TaskDue t={t} />
    </>
  )
}

/**
 * What waits on one case's agreements (reports due or overdue, reviews, signatures), shown on the
 * case page so the caseworker sees it where she looks at the case; nothing when nothing waits.
 */
export function CaseTasks({ caseId }: { caseId: string }) {
  const tasks = useAsync(() => api.tasks(), [caseId])
  const mine = (tasks.data ?? []).filter((t) => t.caseId === caseId && t.kind !== 'contribution')
  if (mine.length === 0) return null
  return (
    <>
      <h2>Venter på handling</h2>
      <ul className="card-list" aria-label="Sagens opgaver">
        {keyed(mine).map(([k, t]) => (
          <li key={k}>
            <TaskCard t={t} />
          </li>
        ))}
      </ul>
    </>
  )
}

export function TasksPage() {
  const tasks = useAsync(() => api.tasks(), [])
  return (
    <Page title="Mine opgaver">
      <Loaded a={tasks} what="dine opgaver">
        {(list) =>
          list.length === 0 ? (
            <p>Du har ingen opgaver lige nu.</p>
          ) : (
            <>
              <p>
                Du har {list.length} {list.length === 1 ? 'opgave' : 'opgaver'}.
              </p>
              <ul className="card-list" aria-label="Opgaver">
                {keyed(list).map(([k, t]) => (
                  <li key={k}>
                    <TaskCard t={t} />
                  </li>
                ))}
              </ul>
            </>
          )
        }
      </Loaded>
    </Page>
  )
}
