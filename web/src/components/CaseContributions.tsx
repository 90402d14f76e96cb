/**
 * The citizen's comments and correction requests on the case page (GET /api/cases/:id/contributions,
 * itself access-logged), each with the answer, or a form for the caseworker to answer it.
 */
import { type FormEvent, useState } from 'react'
import { api, type Contribution } from '../api.ts'
import { formatDateTime } from '../format.ts'
import { Alert, ErrorSummary, type Errors, Loaded, TextAreaField, useAsync, useFormErrors } from './ui.tsx'

const MAX_TEXT = 2000

function ContributionAnswer({
  caseId,
  contribution,
  onDone,
}: {
  caseId: string
  contribution: Contribution
  onDone: () => void
}) {
  const [text, setText] = useState('')
  const f = useFormErrors()
  const field = `answer-${contribution.id}`
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    const errors: Errors = {}
    if (!text.trim()) errors[field] = 'Skriv et svar til borgeren'
    else if (text.length > MAX_TEXT) errors[field] = `Svaret må højst være ${MAX_TEXT} tegn`
    const ok = await f.submit(
      errors,
      async () => {
        await api.answerContribution(caseId, contribution.id, text.trim())
      },
      () => field,
    )
    if (ok) onDone()
  }
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Svar borgeren">
      <ErrorSummary errors={f.errors} summaryRef={f.summaryRef} />
      {f.failure && (
        <Alert kind="error" heading="Svaret blev ikke sendt">
          {f.failure}
        </Alert>
      )}
      <TextAreaField
        id={field}
        label="Dit svar til borgeren"
        hint="Borgeren ser svaret under Bidrag. Skriv i et klart og enkelt sprog."
        value={text}
        onChange={setText}
        error={f.errors[field]}
        maxLength={MAX_TEXT}
      />
      <button type="submit" className="button button-secondary" disabled={f.busy}>
        Send svar
      </button>
    </form>
  )
}

export function CaseContributions({ caseId, canAnswer }: { caseId: string; canAnswer: boolean }) {
  const list = useAsync(() => api.caseContributions(caseId), [caseId])
  return (
    <>
      <h2>Henvendelser fra borgeren</h2>
      <Loaded a={list} what="henvendelserne">
        {(items) =>
          items.length === 0 ? (
            <p>Borgeren har ikke skrevet til sagen.</p>
          ) : (
            <ul className="card-list">
              {items.map((k) => (
                <li key={k.id}>
                  <p className="mb-2">
                    <strong>{k.kind === 'correction' ? 'Anmodning om rettelse' : 'Kommentar'}</strong>
                    {k.createdAt ? `, ${formatDateTime(k.createdAt)}` : ''}
                  </p>
                  <p>{k.text}</p>
                  {k.answer ? (
                    <p className="mb-0">Svar: {k.answer}</p>
                  ) : canAnswer ? (
                    <ContributionAnswer caseId={caseId} contribution={k} onDone={list.reload} />
                  ) : (
                    <p className="mb-0">Ikke besvaret endnu.</p>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </>
  )
}
