import { NavLink } from './Layout'
import { Card, EmptyState } from '../components/ui'

export function ErrorPage({ status, message }: { status: number; message: string }) {
  return (
    <div class="page narrow">
      <Card>
        <EmptyState title={status === 404 ? 'Not found' : `Error ${status}`}>
          <p safe>{message}</p>
          <NavLink href="/pools" class="button">
            Back to pools
          </NavLink>
        </EmptyState>
      </Card>
    </div>
  )
}
