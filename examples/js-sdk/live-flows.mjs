// The official Voucherify JS SDK (@voucherify/sdk, unmodified) through the flows of its own live
// tests (packages/sdk/test/customers.spec.ts) and of the campaign CSV-import docs, against the
// emulator:
//   1. import customers from CSV, poll only while the job is IN_PROGRESS, read the customer;
//   2. create a campaign, import vouchers from CSV, poll, list the campaign's vouchers;
//   3. publish a campaign's voucher to a customer, list the customer's redeemables;
//   4. bulk-update an address, then set its fields to null, read them back;
//   5. delete a fresh customer permanently.
//
//   npm install
//   EMULATOR_URL=http://127.0.0.1:8080 node live-flows.mjs
//
// Prints one JSON line per check ({"check", "ok", "detail"}) and exits 0 when all pass.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import voucherifySdk from '@voucherify/sdk'

const { VoucherifyServerSide } = voucherifySdk

const apiUrl = (process.env.EMULATOR_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '')
const runId = Date.now().toString(36) + Math.random().toString(36).slice(2, 6)
const client = VoucherifyServerSide({
  applicationId: process.env.VOUCHERIFY_APP_ID || `js-live-${runId}`,
  secretKey: process.env.VOUCHERIFY_SECRET_KEY || 'js-live-secret',
  apiUrl,
})
const POLL_MS = Number(process.env.POLL_MS || 20) // the SDK's own tests wait 1 s between polls
const MAX_POLLS = 500
const dir = mkdtempSync(join(tmpdir(), 'voucherify-live-'))
const results = []

function check(name, ok, detail) {
  results.push({ check: name, ok: Boolean(ok), detail })
  console.log(JSON.stringify({ check: name, ok: Boolean(ok), detail }))
}

function csvFile(name, lines) {
  const path = join(dir, name)
  writeFileSync(path, lines.join('\n') + '\n')
  return path
}

async function statuses(id, keepPolling) {
  const seen = [(await client.asyncActions.get(id)).status]
  while (keepPolling(seen[seen.length - 1]) && seen.length < MAX_POLLS) {
    await sleep(POLL_MS)
    seen.push((await client.asyncActions.get(id)).status)
  }
  return seen
}

async function csvImportPolledWhileInProgress() {
  const sourceId = `csv-${runId}`
  const file = csvFile('customers.csv', ['Source_id,Name', `${sourceId},Csv Person`])
  const { async_action_id } = await client.customers.importCSV(file)
  // exactly the SDK test's loop: it stops polling as soon as the status is not IN_PROGRESS
  const seen = await statuses(async_action_id, (status) => status === 'IN_PROGRESS')
  check('csv import: first poll is not ENQUEUED', seen[0] !== 'ENQUEUED', seen)
  const customer = await client.customers.get(sourceId)
  check('csv import: the imported customer is there', customer.source_id === sourceId, customer.name)
}

async function voucherImportThenList() {
  const campaign = await client.campaigns.create({
    name: `Import ${runId}`,
    voucher: { type: 'DISCOUNT_VOUCHER', discount: { type: 'AMOUNT', amount_off: 1000 } },
  })
  const file = csvFile('vouchers.csv', ['Code,Category', `JS-${runId}-1,vip`, `JS-${runId}-2,`])
  const { async_action_id } = await client.campaigns.importVouchersCSV(campaign.id, file)
  const seen = await statuses(async_action_id, (status) => status !== 'DONE' && status !== 'FAILED')
  check('voucher import: DONE', seen[seen.length - 1] === 'DONE', seen)
  const listed = await client.vouchers.list({ campaign_id: campaign.id })
  const codes = listed.vouchers.map((voucher) => voucher.code).sort()
  check('voucher import: list by campaign_id', codes.length === 2 && codes[0] === `JS-${runId}-1`, codes)
  const one = await client.vouchers.get(`JS-${runId}-1`)
  check('voucher import: get by code', one.campaign_id === campaign.id && one.category === 'vip', one.code)
}

async function publicationThenRedeemables() {
  // the SDK test "Should return redeemable for customer", step by step
  const createdCustomer = await client.customers.create({ source_id: `holder-${runId}` })
  const discountCampaign = await client.campaigns.create({
    campaign_type: 'DISCOUNT_COUPONS',
    name: `Redeemables ${runId}`,
    type: 'AUTO_UPDATE',
    voucher: { code_config: { length: 3 }, type: 'DISCOUNT_VOUCHER', discount: { amount_off: 0, type: 'AMOUNT' } },
  })
  const publication = await client.distributions.publications.create({
    customer: createdCustomer,
    campaign: discountCampaign,
  })
  const redeemables = await client.customers.listRedeemables(createdCustomer.id)
  const held = (redeemables.data || []).map((item) => item.redeemable_id)
  check('publication: redeemables list the published voucher',
    held.length === 1 && held[0] === publication.voucher.id, held)
}

async function bulkAddressWithNulls() {
  const customer = await client.customers.create({ source_id: `bulk-${runId}` })
  const waitDone = async (id) => (await statuses(id, (status) => status !== 'DONE')).pop()
  const address = { city: 'New York', country: 'US' }
  let job = await client.customers.updateInBulk([{ source_id: customer.source_id, name: 'Bob Doe', address }])
  check('bulk address: DONE', (await waitDone(job.async_action_id)) === 'DONE')
  const updated = await client.customers.get(customer.id)
  check('bulk address: stored', JSON.stringify(updated.address) === JSON.stringify(address), updated.address)
  const removedAddress = { city: null, country: null }
  job = await client.customers.updateInBulk([{ source_id: customer.source_id, address: removedAddress }])
  check('bulk null address: accepted and DONE', (await waitDone(job.async_action_id)) === 'DONE')
  const cleared = await client.customers.get(customer.id)
  check('bulk null address: nulls stored',
    JSON.stringify(cleared.address) === JSON.stringify(removedAddress), cleared.address)
}

async function permanentDeletion() {
  const created = await client.customers.create({ name: 'Bob' })
  const receipt = await client.customers.deletePermanently(created.id)
  check('permanent deletion: counts as recorded',
    receipt.object === 'pernament_deletion' && receipt.data_json.customer === 1 && receipt.data_json.events === 0,
    receipt.data_json)
}

async function main() {
  try {
    for (const flow of [csvImportPolledWhileInProgress, voucherImportThenList, publicationThenRedeemables,
      bulkAddressWithNulls, permanentDeletion]) {
      try {
        await flow()
      } catch (error) {
        check(`${flow.name}: no error`, false, { message: error.message, key: error.key, details: error.details })
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return results.every((result) => result.ok) ? 0 : 1
}

main().then((code) => process.exit(code))
