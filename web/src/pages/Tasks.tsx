import { api, type Task, type TaskKind } from '../api.ts'
import { keyed, Loaded, Page, useAsync } from '../components/ui.tsx'
import { formatDate } from '../format.ts'
import { Link } from '../router.tsx'

const kindLabel: Record<TaskKind, string> = {
  sign: 'Underskriv',
  approve: 'Godkend',
  review: 'Revurdering',
  report_overdue: 'Statusrapport mangler',
  invoice_deviation: 'Afvigelse på faktura',
  contribution: 'Henvendelse fra borger',
}

export function taskHref(t: Task): string {
  if (t.kind === 'contribution' && t.caseId) return `/sager/${encodeURIComponent(t.caseId)}`
  if (t.agreementId) return `/aftaler/${encodeURIComponent(t.agreementId)}`
  if (t.caseId) return `/sager/${encodeURIComponent(t.caseId)}`
  return '/opgaver'
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
                    <p className="mb-2">
                      <span className="badge badge-info">{kindLabel[t.kind] ?? t.kind}</span>
                    </p>
                    <p className="mb-2">
                      <Link to={taskHref(t)}>{t.title}</Link>
                    </p>
                    {t.due && <p className="mb-0">Frist: {formatDate(t.due)}</p>}
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
