// Against the real server on this machine (root over the local socket).
import { afterAll, describe, expect } from 'bun:test'
import { testNeeding } from '../../src/testing/needs'
import { runCommand } from '../run-command'
import { detectMariaDb } from './mariadb'
import { connectCli, connectLocal, findSocket, type Connection } from './mariadb-connect'

const conn: Connection | null = await connectLocal({ root: '/', run: runCommand })
const withServer = testNeeding(conn ? null : 'no MariaDB/MySQL server reachable as root through a local socket under /')
const dbName = `sctl_detect_${Math.random().toString(36).slice(2, 10)}`

afterAll(async () => {
  await conn?.query(`drop database if exists ${dbName}`)
  await conn?.close()
})

describe('detectMariaDb on this machine', () => {
  withServer('it finds the running server and a database we create, with its size', async () => {
    expect(await conn!.query(`create database ${dbName}`)).not.toBeNull()
    expect(await conn!.query(`create table ${dbName}.t (id int primary key, note varchar(40)) engine=InnoDB`)).not.toBeNull()
    expect(await conn!.query(`insert into ${dbName}.t values (1, 'hello')`)).not.toBeNull()

    const started = performance.now()
    const { mariadb, galera } = await detectMariaDb({ root: '/', run: runCommand })
    console.log(`detectMariaDb on / took ${Math.round(performance.now() - started)} ms`)

    expect(mariadb?.flavor).toBe('mariadb')
    expect(mariadb?.running).toBe(true)
    expect(mariadb?.version).toMatch(/^\d+\.\d+\.\d+$/)
    const db = mariadb?.databases.find((d) => d.name === dbName)
    expect(db?.sizeBytes).toBeGreaterThan(0)
    expect(mariadb?.databases.map((d) => d.name)).not.toContain('mysql')
    const wsrep = (await conn!.query("show global variables like 'wsrep_on'"))?.[0]?.[1]
    if (wsrep === 'ON') expect(galera?.clusterStatus).toBeString()
    else expect(galera).toBeNull()
  })

  withServer('the command-line fallback reads the same server', async () => {
    const cli = await connectCli(runCommand, findSocket('/')!, 5000)
    expect(cli?.via).toBe('cli')
    const names = (await cli!.query('show databases'))?.map(([n]) => n)
    expect(names).toContain('information_schema')
  })
})
