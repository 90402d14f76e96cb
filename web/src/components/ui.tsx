/**
 * dkfds building blocks: page frame, error summary, form fields, alerts, badges, async loading.
 */
import {
  type ReactNode,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
} from 'react'
import { type AgreementState, ApiError } from '../api.ts'

let firstPage = true

/** A page: sets the document title and moves focus to the heading after client-side navigation. */
export function Page({ title, children, lead }: { title: string; children: ReactNode; lead?: ReactNode }) {
  const h1 = useRef<HTMLHeadingElement>(null)
  useLayoutEffect(() => {
    document.title = `${title} – Tillid`
    if (firstPage) firstPage = false
    else h1.current?.focus()
  }, [title])
  return (
    <>
      <h1 ref={h1} tabIndex={-1} className="page-title">
        {title}
      </h1>
      {lead && <p className="font-lead">{lead}</p>}
      {children}
    </>
  )
}

export type Errors = Record<string, string>

/** dkfds error summary: listed messages link to their fields; it takes focus when it appears. */
export function ErrorSummary({
  errors,
  summaryRef,
}: {
  errors: Errors
  summaryRef: RefObject<HTMLDivElement | null>
}) {
  const entries = Object.entries(errors)
  if (entries.length === 0) return null
  return (
    <div
      className="alert alert-error error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
      tabIndex={-1}
      ref={summaryRef}
    >
      <div className="alert-body">
        <p className="alert-heading" id="error-summary-title">
          Der er problemer
        </p>
        <ul className="alert-text nobullet-list">
          {entries.map(([field, message]) => (
            <li key={field}>
              <a
                className="function-link"
                href={`#${field}`}
                onClick={(e) => {
                  e.preventDefault()
                  document.getElementById(field)?.focus()
                }}
              >
                {message}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  )
}

/** Form state that survives a reload of the tab, so nothing typed is lost. */
export function useSessionState<T>(key: string, initial: T | (() => T)): [T, (v: T | ((p: T) => T)) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = sessionStorage.getItem(`tillid:${key}`)
      if (raw !== null) return JSON.parse(raw) as T
    } catch {
      // storage unavailable: fall back to memory
    }
    return typeof initial === 'function' ? (initial as () => T)() : initial
  })
  useEffect(() => {
    try {
      sessionStorage.setItem(`tillid:${key}`, JSON.stringify(value))
    } catch {
      // storage full or unavailable: memory state still holds the input
    }
  }, [key, value])
  return [value, setValue]
}

/** Forgets every form draft (at logout, so the next person on this browser sees none). */
export function clearAllSessionState(): void {
  try {
    for (const k of Object.keys(sessionStorage)) if (k.startsWith('tillid:')) sessionStorage.removeItem(k)
  } catch {
    // storage unavailable: nothing stored
  }
}

export function clearSessionState(key: string): void {
  try {
    sessionStorage.removeItem(`tillid:${key}`)
  } catch {
    // nothing to clear
  }
}

/**
 * Validation + submission for one form. `validate` returns field id → Danish message; the API's
 * problem+json field errors are mapped onto the same ids by `fieldMap`.
 */
export function useFormErrors() {
  const [errors, setErrors] = useState<Errors>({})
  const [failure, setFailure] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const summaryRef = useRef<HTMLDivElement>(null)

  const submit = useCallback(
    async (
      validation: Errors,
      action: () => Promise<void>,
      fieldMap: (apiField: string) => string = (f) => f,
    ): Promise<boolean> => {
      setFailure(null)
      setErrors(validation)
      const focusSummary = () => setTimeout(() => summaryRef.current?.focus(), 0)
      if (Object.keys(validation).length > 0) {
        focusSummary()
        return false
      }
      setBusy(true)
      try {
        await action()
        return true
      } catch (err) {
        if (err instanceof ApiError && err.fieldErrors.length > 0) {
          const mapped: Errors = {}
          for (const fe of err.fieldErrors) mapped[fieldMap(fe.field)] = fe.message
          setErrors(mapped)
          focusSummary()
        } else {
          setFailure(err instanceof Error ? err.message : String(err))
        }
        return false
      } finally {
        setBusy(false)
      }
    },
    [],
  )
  return { errors, failure, busy, submit, summaryRef, setErrors }
}

interface FieldProps {
  id: string
  label: ReactNode
  hint?: ReactNode
  error?: string
  children: (aria: { id: string; 'aria-describedby'?: string; 'aria-invalid'?: true }) => ReactNode
}

export function Field({ id, label, hint, error, children }: FieldProps) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ')
  return (
    <div className={`form-group${error ? ' form-error' : ''}`}>
      <label className="form-label" htmlFor={id}>
        {label}
      </label>
      {hint && (
        <span className="form-hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="form-error-message" id={`${id}-error`}>
          <span className="sr-only">Fejl: </span>
          {error}
        </span>
      )}
      {children({
        id,
        'aria-describedby': describedBy || undefined,
        'aria-invalid': error ? true : undefined,
      })}
    </div>
  )
}

interface TextFieldProps {
  id: string
  label: ReactNode
  hint?: ReactNode
  error?: string
  value: string
  onChange: (v: string) => void
  type?: 'text' | 'date' | 'month' | 'number'
  width?: 'xxs' | 'xs' | 's' | 'm' | 'l' | 'xl'
  inputMode?: 'decimal' | 'numeric' | 'text'
  autoComplete?: string
  suffix?: string
  required?: boolean
}

export function TextField(p: TextFieldProps) {
  return (
    <Field id={p.id} label={p.label} hint={p.hint} error={p.error}>
      {(aria) => {
        const input = (
          <input
            {...aria}
            className={`form-input${p.width ? ` input-width-${p.width}` : ''}`}
            type={p.type ?? 'text'}
            name={p.id}
            value={p.value}
            inputMode={p.inputMode}
            autoComplete={p.autoComplete ?? 'off'}
            aria-required={p.required || undefined}
            onChange={(e) => p.onChange(e.target.value)}
          />
        )
        if (!p.suffix) return input
        return (
          <div className="form-input-wrapper form-input-wrapper--suffix">
            {input}
            <div className="form-input-suffix" aria-hidden="true">
              {p.suffix}
            </div>
          </div>
        )
      }}
    </Field>
  )
}

interface SelectFieldProps {
  id: string
  label: ReactNode
  hint?: ReactNode
  error?: string
  value: string
  onChange: (v: string) => void
  options: { value: string; label: string }[]
  placeholder?: string
}

export function SelectField(p: SelectFieldProps) {
  return (
    <Field id={p.id} label={p.label} hint={p.hint} error={p.error}>
      {(aria) => (
        <select
          {...aria}
          className="form-select"
          name={p.id}
          value={p.value}
          onChange={(e) => p.onChange(e.target.value)}
        >
          {p.placeholder !== undefined && <option value="">{p.placeholder}</option>}
          {p.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  )
}

interface RadioProps {
  id: string
  legend: ReactNode
  hint?: ReactNode
  error?: string
  value: string
  onChange: (v: string) => void
  options: { value: string; label: string; hint?: string }[]
}

export function RadioField(p: RadioProps) {
  return (
    <div className={`form-group${p.error ? ' form-error' : ''}`}>
      <fieldset aria-describedby={p.error ? `${p.id}-error` : p.hint ? `${p.id}-hint` : undefined}>
        <legend className="form-label">{p.legend}</legend>
        {p.hint && (
          <span className="form-hint" id={`${p.id}-hint`}>
            {p.hint}
          </span>
        )}
        {p.error && (
          <span className="form-error-message" id={`${p.id}-error`}>
            <span className="sr-only">Fejl: </span>
            {p.error}
          </span>
        )}
        <ul className="nobullet-list">
          {p.options.map((o, i) => (
            <li key={o.value}>
              <input
                className="form-radio"
                type="radio"
                id={i === 0 ? p.id : `${p.id}-${o.value}`}
                name={p.id}
                value={o.value}
                checked={p.value === o.value}
                onChange={() => p.onChange(o.value)}
              />
              <label htmlFor={i === 0 ? p.id : `${p.id}-${o.value}`}>{o.label}</label>
            </li>
          ))}
        </ul>
      </fieldset>
    </div>
  )
}

export function TextAreaField(p: {
  id: string
  label: ReactNode
  hint?: ReactNode
  error?: string
  value: string
  onChange: (v: string) => void
  maxLength?: number
}) {
  return (
    <Field id={p.id} label={p.label} hint={p.hint} error={p.error}>
      {(aria) => (
        <>
          <textarea
            {...aria}
            className="form-input"
            name={p.id}
            rows={6}
            value={p.value}
            onChange={(e) => p.onChange(e.target.value)}
          />
          {p.maxLength && (
            <span className="form-hint" aria-live="polite">
              {p.value.length > p.maxLength
                ? `Du har ${p.value.length - p.maxLength} tegn for meget`
                : `Du har ${p.maxLength - p.value.length} tegn tilbage`}
            </span>
          )}
        </>
      )}
    </Field>
  )
}

export function Alert({
  kind,
  heading,
  children,
}: {
  kind: 'info' | 'success' | 'warning' | 'error'
  heading?: ReactNode
  children?: ReactNode
}) {
  return (
    <div className={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      <div className="alert-body">
        {heading && <p className="alert-heading">{heading}</p>}
        {children && <div className="alert-text">{children}</div>}
      </div>
    </div>
  )
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="spinner-box" role="status">
      <div className="spinner" aria-hidden="true" />
      <div className="spinner-status">{label}</div>
    </div>
  )
}

export interface Async<T> {
  data: T | undefined
  error: Error | undefined
  loading: boolean
  reload: () => void
}

export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true })
  const [tick, setTick] = useState(0)
  // biome-ignore lint/correctness/useExhaustiveDependencies: callers list what the fetch depends on
  useEffect(() => {
    let live = true
    setState((s) => ({ data: s.data, loading: true }))
    fn().then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState({ error, loading: false }),
    )
    return () => {
      live = false
    }
  }, [...deps, tick])
  return { ...state, reload: () => setTick((t) => t + 1) } as Async<T>
}

/** Renders loading and error states, then the content. */
export function Loaded<T>({
  a,
  children,
  what,
}: {
  a: Async<T>
  what: string
  children: (d: T) => ReactNode
}) {
  if (a.error instanceof ApiError && a.error.status === 401) {
    return (
      <Alert kind="warning" heading="Du er blevet logget ud">
        <a
          href={`/auth/login?returnTo=${encodeURIComponent(window.location.pathname + window.location.search)}`}
        >
          Log ind igen
        </a>{' '}
        for at fortsætte.
      </Alert>
    )
  }
  if (a.error)
    return (
      <Alert kind="error" heading={`Kunne ikke hente ${what}`}>
        {a.error.message}
      </Alert>
    )
  if (a.data === undefined) return <Spinner label={`Henter ${what} …`} />
  return <>{children(a.data)}</>
}

export const stateLabel: Record<AgreementState, string> = {
  Draft: 'Kladde',
  AwaitingApproval: 'Afventer godkendelse',
  AwaitingMain: 'Afventer hovedaftalen',
  Active: 'Aktiv',
  Terminated: 'Ophørt',
  Expired: 'Udløbet',
}

export function StateBadge({ state }: { state: AgreementState }) {
  const kind =
    state === 'Active'
      ? 'success'
      : state === 'AwaitingApproval' || state === 'AwaitingMain'
        ? 'warning'
        : state === 'Draft'
          ? 'info'
          : 'error'
  return <span className={`badge badge-${kind}`}>{stateLabel[state] ?? state}</span>
}

export function Icon({ name }: { name: string }) {
  return (
    <svg className="icon-svg" focusable="false" aria-hidden="true">
      <use href={`#${name}`} />
    </svg>
  )
}

/** A short, stable id for list-driven inputs. */
export function useStableId(prefix: string): string {
  return `${prefix}-${useId().replace(/[^a-zA-Z0-9]/g, '')}`
}

export function DefinitionList({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => (
          <div key={k} className="facts-row">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  )
}

/**
 * Content-derived React keys for read-only rows that have no id (log lines, payments by month):
 * identical rows get a running suffix so keys stay unique.
 */
export function keyed<T>(list: readonly T[]): [string, T][] {
  const seen = new Map<string, number>()
  return list.map((item) => {
    const base = JSON.stringify(item)
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    return [n === 0 ? base : `${base}#${n}`, item]
  })
}
