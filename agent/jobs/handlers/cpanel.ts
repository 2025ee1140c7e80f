// cPanel account, service and copy jobs. (Being built: each handler is filled in by agent work on issue 14.)
import { JobFailure, type JobHandler } from '../types'

const notYet: JobHandler = async () => {
  throw new JobFailure('This agent does not run this cPanel job yet.')
}
export const accountCreate = notYet
export const accountModify = notYet
export const accountSuspend = notYet
export const accountUnsuspend = notYet
export const accountTerminate = notYet
export const accountAutossl = notYet
export const accountLogin = notYet
export const accountTransfer = notYet
export const serviceRestart = notYet
export const configCheck = notYet
export const backupAccount = notYet
export const restoreAccount = notYet
