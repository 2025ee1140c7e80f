// Pick a catalogue job and fill its parameters. Every job's parameter fields
// are in the page; only the chosen job's are shown and enabled (a disabled
// fieldset is not submitted), so the form needs no round trip to switch jobs.
import type { JobChoice, ParamField } from '../../src/jobs/param-fields'
import { isJobName } from '../../agent/jobs/catalogue'
import { titleInSentence } from '../../src/jobs/titles'

export type PickerState = {
  /** The chosen job, or '' for none yet. */
  name: string
  /** Parameter values as typed, by key (without the `p.` prefix). */
  values: Record<string, string>
  /** Field name (`name`, `p.<key>`, `confirm`, ...) → message. */
  errors: Record<string, string>
}

const fieldId = (prefix: string, job: string, key: string) => `${prefix}-${job.replace(/\W/g, '-')}-${key}`

function ParamInput({ prefix, job, field, value, error }: { prefix: string; job: string; field: ParamField; value: string; error?: string }) {
  const id = fieldId(prefix, job, field.key)
  const name = `p.${field.key}`
  const described = error ? `${id}-error` : field.hint ? `${id}-hint` : undefined
  const control =
    field.kind === 'choice' ? (
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described}>
        {field.required ? '' : <option value="">(not set)</option>}
        {(field.choices ?? []).map((c) => (
          <option value={c} selected={c === value} safe>
            {c}
          </option>
        ))}
      </select>
    ) : field.kind === 'flag' ? (
      <input id={id} name={name} type="checkbox" value="true" checked={value === 'true'} aria-describedby={described} />
    ) : (
      <input id={id} name={name} type="text" value={value} required={field.required} maxlength={field.kind === 'list' ? 8192 : 1024} autocomplete="off" aria-invalid={error ? 'true' : undefined} aria-describedby={described} />
    )
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id} safe>
        {field.label + (field.required ? '' : ' (optional)')}
      </label>
      {control}
      {field.hint && !error ? (
        <p class="hint" id={`${id}-hint`} safe>
          {field.hint}
        </p>
      ) : (
        ''
      )}
      {error ? (
        <p class="field-error" id={`${id}-error`} safe>
          {error}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

/**
 * The job select and the parameter fieldsets. `confirmName`, when given, adds
 * the "type the server's name" field for jobs the catalogue wants confirmed.
 * Must sit inside an element with `x-data="{ job: ... }"`.
 */
export function JobPicker({ prefix, jobs, state, confirmName, fixed }: { prefix: string; jobs: JobChoice[]; state: PickerState; confirmName?: string; fixed?: boolean }) {
  const chosen = jobs.find((j) => j.name === state.name)
  const confirmJobs = jobs.filter((j) => j.confirm).map((j) => j.name)
  return (
    <>
      {fixed && chosen ? (
        <div class="field">
          <span class="label-like">Job</span>
          <span>
            <strong safe>{chosen.title}</strong> <code>{chosen.name}</code>
          </span>
          <input type="hidden" name="name" value={chosen.name} />
        </div>
      ) : (
        <div class={state.errors.name ? 'field has-error' : 'field'}>
          <label for={`${prefix}-job`}>Job</label>
          <select id={`${prefix}-job`} name="name" x-model="job" required aria-invalid={state.errors.name ? 'true' : undefined}>
            <option value="" selected={!chosen}>
              Choose a job…
            </option>
            {jobs.map((j) => (
              <option value={j.name} selected={j.name === state.name} safe>
                {`${j.title} (${j.name})`}
              </option>
            ))}
          </select>
          {state.errors.name ? (
            <p class="field-error" safe>
              {state.errors.name}
            </p>
          ) : (
            ''
          )}
        </div>
      )}
      {jobs
        .filter((j) => j.fields.length > 0 && (!fixed || j.name === state.name))
        .map((j) => (
          <fieldset class="job-params" data-job={j.name} x-show={`job === '${j.name}'`} {...{ 'x-bind:disabled': `job !== '${j.name}'` }}>
            <legend safe>{`Parameters of ${titleInSentence(j.title)}`}</legend>
            {j.fields.map((f) => (
              <ParamInput prefix={prefix} job={j.name} field={f} value={j.name === state.name ? (state.values[f.key] ?? '') : ''} error={j.name === state.name ? state.errors[`p.${f.key}`] : undefined} />
            ))}
          </fieldset>
        ))}
      {state.errors.params ? (
        <p class="field-error" safe>
          {state.errors.params}
        </p>
      ) : (
        ''
      )}
      {confirmName && confirmJobs.length && !fixed ? (
        <div
          class={state.errors.confirm ? 'field has-error' : 'field'}
          data-confirm-jobs={confirmJobs.join(' ')}
          x-show="$el.dataset.confirmJobs.split(' ').includes(job)"
        >
          <label for={`${prefix}-confirm`} safe>
            {`This job needs confirming: type the server's name, ${confirmName}`}
          </label>
          <input id={`${prefix}-confirm`} name="confirm" type="text" autocomplete="off" placeholder={confirmName} />
          {state.errors.confirm ? (
            <p class="field-error" safe>
              {state.errors.confirm}
            </p>
          ) : (
            ''
          )}
        </div>
      ) : (
        ''
      )}
    </>
  )
}

/** The x-data for the element around a JobPicker. */
export const pickerData = (name: string) => `{ job: ${JSON.stringify(isJobName(name) ? name : '')} }`
