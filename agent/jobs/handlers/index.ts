// Every catalogue job's handler. A Record over JobName: a job added to the
// catalogue without a handler does not compile.
import type { JobName } from '../catalogue'
import type { JobHandler } from '../types'
import { agentUpdate } from './agent-update'
import { backupConfig, backupDatabase, backupFiles } from './backups'
import { drill, restoreDatabase, restoreFiles, verifySnapshotJob } from './backups-restore'
import * as cpanel from './cpanel'
import * as firewall from './firewall'
import { letsencryptIssue } from './letsencrypt'
import { protectionHook } from './protection'
import * as recipes from './recipes'
import { serviceRestart } from './service'
import { keyAdd, keyList, keyRemove } from './ssh'
import * as system from './system'

export const handlers: Record<JobName, JobHandler> = {
  'system.updates.check': system.updatesCheck,
  'system.updates.install': system.updatesInstall,
  'system.reboot': system.reboot,
  'system.shutdown': system.shutdown,
  'service.restart': serviceRestart,
  'firewall.enable': firewall.enable,
  'firewall.disable': firewall.disable,
  'firewall.rule.add': firewall.ruleAdd,
  'firewall.rule.remove': firewall.ruleRemove,
  'firewall.backup': firewall.backup,
  'ssh.key.list': keyList,
  'ssh.key.add': keyAdd,
  'ssh.key.remove': keyRemove,
  'tls.letsencrypt.issue': letsencryptIssue,
  'agent.update': agentUpdate,
  'backup.database': backupDatabase,
  'backup.files': backupFiles,
  'backup.config': backupConfig,
  'restore.database': restoreDatabase,
  'restore.files': restoreFiles,
  'snapshot.verify': verifySnapshotJob,
  'snapshot.drill': drill,
  'cpanel.account.create': cpanel.accountCreate,
  'cpanel.account.modify': cpanel.accountModify,
  'cpanel.account.suspend': cpanel.accountSuspend,
  'cpanel.account.unsuspend': cpanel.accountUnsuspend,
  'cpanel.account.terminate': cpanel.accountTerminate,
  'cpanel.account.autossl': cpanel.accountAutossl,
  'cpanel.account.login': cpanel.accountLogin,
  'cpanel.account.transfer': cpanel.accountTransfer,
  'cpanel.service.restart': cpanel.serviceRestart,
  'cpanel.config.check': cpanel.configCheck,
  'backup.cpanel_account': cpanel.backupAccount,
  'restore.cpanel_account': cpanel.restoreAccount,
  'protection.hook': protectionHook,
  'recipe.ssh_hardening': recipes.sshHardening,
  'recipe.agent_update': recipes.agentUpdateRecipe,
  'recipe.whm_link_check': recipes.whmLinkCheck,
  'recipe.letsencrypt': recipes.letsencryptRecipe,
  'recipe.install_openlitespeed': recipes.installOpenLiteSpeed,
  'recipe.harden_openlitespeed': recipes.hardenOpenLiteSpeed,
  'recipe.install_mariadb': recipes.installMariaDb,
  'recipe.harden_mariadb': recipes.hardenMariaDb,
  'recipe.install_cpanel': recipes.installCpanel,
  'recipe.harden_cpanel': recipes.hardenCpanel,
}
