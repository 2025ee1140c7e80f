// cPanel account, service and copy jobs, by the names handlers/index.ts uses.
export { accountAutossl, accountCreate, accountLogin, accountModify, accountSuspend, accountTerminate, accountUnsuspend } from './cpanel-accounts'
export { backupAccount, restoreAccount } from './cpanel-copy'
export { configCheck, serviceRestart } from './cpanel-services'
export { accountTransfer } from './cpanel-transfer'
