"""Operations that start async actions: CSV imports, bulk and metadata updates."""

from __future__ import annotations

from urllib.parse import quote

from emulator.domain.bulk import BulkUpdate, MetadataUpdate
from emulator.domain.csvio import CsvError, CsvTable, read_csv
from emulator.domain.customer_import import CustomerImport, check_columns
from emulator.domain.errors import InvalidInput
from emulator.domain.vouchers import VoucherImport
from emulator.jobs.model import Job, Work
from emulator.routes.calls import Call, Form, Handler, Reply, Upload


def _table(form: Form) -> CsvTable:
    part = form.get("file")
    if part is None:
        raise InvalidInput("Request body must have required property 'file'")
    try:
        return part.table() if isinstance(part, Upload) else read_csv(part.encode("utf-8"))
    except CsvError as error:
        raise InvalidInput(f"The CSV file cannot be imported: {error}") from None


def _accepted(job: Job, status: int) -> Reply:
    return Reply(status, {"async_action_id": job.id})


def _report_url(call: Call) -> str:
    """Where the job's report will be served (the job id is appended when it is written)."""
    return f"{call.base_url}/_emulator/reports/{quote(call.tenant.app_id, safe='')}"


def _submit(call: Call, job_type: str, work: Work) -> Job:
    return call.tenant.jobs.submit(job_type, work)


def import_customers_using_csv(call: Call) -> Reply:
    tenant = call.tenant
    table = _table(call.body)
    check_columns(table)
    work = CustomerImport(table, tenant.customers, tenant.metadata_schemas)
    return _accepted(_submit(call, "CUSTOMERS.IMPORT_CSV", work), 202)


def update_customers_in_bulk(call: Call) -> Reply:
    tenant = call.tenant
    work = BulkUpdate(call.body, tenant.customers, _report_url(call), tenant.metadata_schemas)
    return _accepted(_submit(call, "CUSTOMERS.BULK_UPDATE", work), 202)


def update_customers_metadata_in_bulk(call: Call) -> Reply:
    body = call.body
    work = MetadataUpdate(
        [str(s) for s in body["source_ids"]], body["metadata"], call.tenant.customers,
        _report_url(call), call.tenant.metadata_schemas,
    )  # fmt: skip
    return _accepted(_submit(call, "CUSTOMERS.METADATA_UPDATE", work), 202)


def import_vouchers_to_campaign_using_csv(call: Call) -> Reply:
    tenant = call.tenant
    campaign = tenant.campaigns.get(call.param("campaignId"))
    table = _table(call.body)
    if not table.has_column("code"):
        raise InvalidInput("The CSV file cannot be imported: it needs a Code column")
    work = VoucherImport(
        table, campaign, tenant.campaigns, tenant.ids, tenant.clock, tenant.metadata_schemas
    )
    return _accepted(_submit(call, "CAMPAIGN.VOUCHERS_IMPORT_CSV", work), 200)


HANDLERS: dict[str, Handler] = {
    "import-customers-using-csv": import_customers_using_csv,
    "update-customers-in-bulk": update_customers_in_bulk,
    "update-customers-metadata-in-bulk": update_customers_metadata_in_bulk,
    "import-vouchers-to-campaign-using-csv": import_vouchers_to_campaign_using_csv,
}
