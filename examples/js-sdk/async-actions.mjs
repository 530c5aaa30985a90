// The official Voucherify JS SDK (@voucherify/sdk, unmodified) against the emulator:
// a customers CSV import, a bulk update and a metadata update, each polled with
// client.asyncActions.get(id) until it is DONE.
//
//   npm install
//   EMULATOR_URL=http://127.0.0.1:8080 node async-actions.mjs
//
// Exits 0 when all three jobs finish DONE / SUCCESS, 1 otherwise (or after 20 s of polling).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
// The package's "main" is a UMD/CommonJS bundle without an "exports" map, so from an ES module
// it is imported whole (a named import fails in Node 20).
import voucherifySdk from '@voucherify/sdk'

const { VoucherifyServerSide } = voucherifySdk

const apiUrl = (process.env.EMULATOR_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '')
const applicationId = process.env.VOUCHERIFY_APP_ID || 'js-sdk-example'
const secretKey = process.env.VOUCHERIFY_SECRET_KEY || 'js-sdk-secret'
const POLL_MS = 200
const TIMEOUT_MS = 20_000

// The SDK appends /v1 to apiUrl and sends X-App-Id / X-App-Token.
const client = VoucherifyServerSide({ applicationId, secretKey, apiUrl })

function show(label, value) {
  console.log(`${label}: ${JSON.stringify(value)}`)
}

async function waitUntilDone(label, asyncActionId) {
  const deadline = Date.now() + TIMEOUT_MS
  const seen = []
  for (;;) {
    const action = await client.asyncActions.get(asyncActionId)
    if (seen[seen.length - 1] !== action.status) seen.push(action.status)
    if (action.status === 'DONE' || action.status === 'FAILED') {
      console.log(`${label}: ${action.id} ${action.type} -> ${action.status} / ${action.operation_status}`)
      console.log(`  statuses seen: ${seen.join(' -> ')}`)
      show('  result', action.result)
      return action
    }
    if (Date.now() > deadline) {
      throw new Error(`${label}: ${asyncActionId} still ${action.status} after ${TIMEOUT_MS / 1000} s`)
    }
    await sleep(POLL_MS)
  }
}

async function main() {
  console.log(`emulator: ${apiUrl} (app ${applicationId})`)
  const runId = Date.now().toString(36)
  const email = (name) => `${name}.${runId}@example.com`
  const finished = []

  // 1. CSV import: the SDK streams the file as multipart part "file".
  const dir = mkdtempSync(join(tmpdir(), 'voucherify-js-'))
  const csvPath = join(dir, 'customers.csv')
  writeFileSync(
    csvPath,
    [
      'Source_id,Name,Email,Address_City,loyalty_tier',
      `${email('ann')},Ann Lee,${email('ann')},Warsaw,gold`,
      `${email('ben')},Ben Ode,${email('ben')},Berlin,silver`,
      `${email('cat')},"Cat, the Third",${email('cat')},Paris,bronze`,
      '',
    ].join('\n'),
  )
  try {
    const imported = await client.customers.importCSV(csvPath)
    show('customers.importCSV', imported)
    finished.push(await waitUntilDone('import', imported.async_action_id))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  // 2. Bulk update: one existing customer, one new (upserted).
  const bulk = await client.customers.updateInBulk([
    { source_id: email('ann'), name: 'Ann Lee-Smith', address: { city: 'Krakow' } },
    { source_id: email('dan'), name: 'Dan New', email: email('dan'), metadata: { plan: 'trial' } },
  ])
  show('customers.updateInBulk', bulk)
  finished.push(await waitUntilDone('bulk update', bulk.async_action_id))

  // 3. Metadata update: merged into each customer's metadata.
  const metadata = await client.customers.updateMetadataInBulk({
    source_ids: [email('ann'), email('ben'), email('dan')],
    metadata: { segment: 'b2b' },
  })
  show('customers.updateMetadataInBulk', metadata)
  finished.push(await waitUntilDone('metadata update', metadata.async_action_id))

  for (const sourceId of [email('ann'), email('ben'), email('dan')]) {
    const customer = await client.customers.get(sourceId)
    show(`customers.get(${sourceId})`, {
      name: customer.name,
      city: customer.address?.city ?? null,
      metadata: customer.metadata,
    })
  }

  const failed = finished.filter((a) => a.status !== 'DONE' || a.operation_status !== 'SUCCESS')
  if (failed.length > 0) {
    console.error(`${failed.length} async action(s) did not succeed`)
    return 1
  }
  console.log('all async actions DONE')
  return 0
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${error.message}`)
    if (error.code || error.key) console.error(JSON.stringify({ code: error.code, key: error.key, details: error.details }))
    process.exit(1)
  },
)
