// Recipes: guided install and harden flows, each one job of several steps.
// Every card shows the steps before anything runs, and a recipe that cannot
// run on this member says why instead of offering its button.
import type { MemberView } from '../MemberWorkspace'
import { RECIPES } from '../../../src/jobs/member-tabs'
import { memberTabHref } from '../../../src/members/tabs'
import { recipeAnchor } from '../../../src/jobs/hrefs'
import { catalogueEntry, type JobName } from '../../../agent/jobs/catalogue'
import { Badge, Card, Notice } from '../../components/ui'
import { ConfirmDialog, LetsencryptFields, RecentJobs, echoFor } from './actions'

export function RecipesTab({ view }: { view: MemberView }) {
  const jobs = view.jobs
  const m = view.card.member
  return (
    <div class="stack">
      <Notice kind="warn">
        <strong>Only ever use recipes on clean servers.</strong>{' '}
        <span>Install recipes refuse to run where the agent has found their stack (or one that would clash with it); a recipe that cannot run here says why.</span>
      </Notice>
      <div class="grid-2 recipes" id="recipes">
        {RECIPES.map((name) => (
          <RecipeCard view={view} name={name} />
        ))}
      </div>
      <Card title="Recent recipe runs">
        <RecentJobs view={view} id="recipe-jobs" jobs={jobs?.recent ?? []} empty="No recipes have run here yet" pollUrl={memberTabHref(m.poolId, m.id, 'recipes')} progress />
      </Card>
    </div>
  )
}

function RecipeCard({ view, name }: { view: MemberView; name: JobName }) {
  const entry = catalogueEntry(name)
  const m = view.card.member
  const defaults = view.jobs?.letsencrypt
  const takesDomains = name === 'recipe.letsencrypt'
  const steps = entry.steps(takesDomains && defaults ? { ...defaults } : {})
  const id = recipeAnchor(name)
  return (
    <section class="card recipe" id={id} data-recipe={name}>
      <header class="card-head">
        <h2 safe>{entry.title}</h2>
        {entry.recipe?.installs ? <Badge tone="warn">clean servers only</Badge> : ''}
      </header>
      <p safe>{entry.recipe?.summary ?? ''}</p>
      <Steps id={`${id}-steps`} steps={steps} />
      <ConfirmDialog
        view={view}
        id={`${id}-confirm`}
        name={name}
        tab="recipes"
        label="Run…"
        buttonClass="button primary"
        title={`Run ${entry.title} on ${m.name}?`}
        button={`Run on ${m.name}`}
        danger={!!entry.recipe?.installs}
      >
        <Steps steps={steps} />
        {takesDomains && defaults ? <LetsencryptFields id={`${id}-le`} defaults={defaults} echo={echoFor(view, name)} /> : ''}
      </ConfirmDialog>
    </section>
  )
}

function Steps({ id, steps }: { id?: string; steps: string[] }) {
  return (
    <ol class="steps" id={id}>
      {steps.map((s) => (
        <li safe>{s}</li>
      ))}
    </ol>
  )
}
