import { t } from 'elysia'

export const ErrorSchema = t.Object({
  error: t.Object({ code: t.String(), message: t.String() }),
})
