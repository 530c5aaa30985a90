// The dashboard's only script: plain JavaScript, no build step, no dependencies.
// It talks to the emulator's own routes only. Every value reaches the page as text
// (textContent / text nodes): nothing received is ever parsed as HTML.
"use strict";
(() => {
  const $ = (selector, root = document) => root.querySelector(selector);
  const MAX_BYTES = 10 * 1024 * 1024;
  const SHOWN = 200; // preview rows shown per table

  // ---- DOM building: text only --------------------------------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else if (key === "key") el.dataset.key = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }
  const td = (value, cls) => h("td", { class: cls }, value ?? "");
  const emptyRow = (columns, text) => h("tr", {}, h("td", { colspan: columns, class: "empty" }, text));

  // Replace a container's children, keeping keyboard focus on the element with the same key.
  function fill(container, nodes) {
    const active = document.activeElement;
    const key = active && container.contains(active) ? active.dataset.key : undefined;
    container.replaceChildren(...nodes);
    if (key) {
      const again = [...container.querySelectorAll("[data-key]")].find((el) => el.dataset.key === key);
      if (again) again.focus();
    }
  }
  // Render only when the data changed, so polling never resets what the user is looking at.
  const shown = new Map();
  function changed(name, data) {
    const text = JSON.stringify(data);
    if (shown.get(name) === text) return false;
    shown.set(name, text);
    return true;
  }
  const when = (iso) => (iso ? iso.replace("T", " ").replace(/\.\d+Z$/, " UTC") : "");
  const count = (n) => Number(n).toLocaleString("en-US");

  // ---- state --------------------------------------------------------------------------
  const saved = {
    get: (store, key) => { try { return store.getItem(key) || ""; } catch { return ""; } },
    set: (store, key, value) => { try { value ? store.setItem(key, value) : store.removeItem(key); } catch { /* private mode */ } },
  };
  const state = {
    tenant: "",
    appToken: saved.get(sessionStorage, "emulator.appToken"),
    adminToken: saved.get(sessionStorage, "emulator.adminToken"),
    view: "customers",
    page: 1,
    search: "",
    openBodies: new Set(),
    ticks: 0,
  };

  // ---- HTTP: the emulator's own routes ------------------------------------------------
  class Failure extends Error {
    constructor(status, body) {
      super(Failure.describe(status, body));
      this.status = status;
      this.body = body;
    }
    static describe(status, body) {
      if (body && typeof body === "object") {
        const text = body.details || body.message;
        if (text) return `${text} (HTTP ${status})`;
      }
      return `The emulator answered HTTP ${status}`;
    }
  }

  async function api(method, path, body) {
    const headers = { "X-Emulator-Client": "dashboard" };
    if (state.tenant) headers["X-App-Id"] = state.tenant;
    if (state.appToken) headers["X-App-Token"] = state.appToken;
    if (state.adminToken) headers["X-Emulator-Token"] = state.adminToken;
    let payload;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body: payload, credentials: "same-origin" });
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = { message: text.slice(0, 300) }; }
    if (!response.ok) throw new Failure(response.status, data);
    return data;
  }

  function notify(text, kind = "ok") {
    const notice = $("#notice");
    notice.textContent = text;
    notice.className = kind;
  }
  const problem = (error) => notify(error instanceof Error ? error.message : String(error), "error");

  // ---- tenant -------------------------------------------------------------------------
  async function loadTenants() {
    const data = await api("GET", "/_emulator/tenants");
    fill($("#tenant-list"), data.tenants.map((t) => h("option", { value: t.app_id },
      `${count(t.customers)} customers, ${count(t.async_actions)} async actions`)));
    return data.tenants;
  }

  async function chooseTenant() {
    const asked = new URLSearchParams(location.search).get("tenant");
    state.tenant = asked || saved.get(localStorage, "emulator.tenant");
    let tenants = [];
    try { tenants = await loadTenants(); } catch (error) { problem(error); }
    if (!state.tenant) state.tenant = tenants.length ? tenants[0].app_id : "my-app";
    $("#tenant").value = state.tenant;
    $("#app-token").value = state.appToken;
    $("#admin-token").value = state.adminToken;
  }

  function openTenant(event) {
    event.preventDefault();
    state.tenant = $("#tenant").value.trim();
    state.appToken = $("#app-token").value;
    state.adminToken = $("#admin-token").value;
    saved.set(localStorage, "emulator.tenant", state.tenant);
    saved.set(sessionStorage, "emulator.appToken", state.appToken);
    saved.set(sessionStorage, "emulator.adminToken", state.adminToken);
    const url = new URL(location.href);
    url.searchParams.set("tenant", state.tenant);
    history.replaceState(null, "", url);
    state.page = 1;
    shown.clear();
    $("#upload-result").replaceChildren();
    notify(`Showing tenant ${state.tenant}`);
    refresh();
  }

  // ---- clock --------------------------------------------------------------------------
  async function loadClock() {
    const clock = await api("GET", "/_emulator/clock");
    $("#clock-mode").textContent = clock.mode === "scaled" ? `scaled ×${clock.scale}` : clock.mode;
    const now = $("#clock-now");
    now.textContent = when(clock.now);
    now.dateTime = clock.now;
  }

  async function clockAction(run) {
    try {
      await run();
      await refresh();
    } catch (error) { problem(error); }
  }

  const advance = () => clockAction(async () => {
    const step = Number($("#clock-step").value);
    await api("POST", "/_emulator/clock", { advance_seconds: step });
    notify(`Clock advanced by ${$("#clock-step").selectedOptions[0].textContent}`);
  });
  const untilIdle = () => clockAction(async () => {
    const done = await api("POST", "/_emulator/async-actions/run-until-idle");
    const held = done.held.length ? `; ${done.held.length} held` : "";
    notify(`${done.finished.length} async action(s) finished${held}`);
  });
  const switchMode = () => clockAction(async () => {
    const choice = $("#clock-switch").value;
    if (!choice) return;
    const [mode, scale] = choice.split(":");
    await api("POST", "/_emulator/clock", scale ? { mode, scale: Number(scale) } : { mode });
    $("#clock-switch").value = "";
    notify(`Clock switched to ${mode}`);
  });

  // ---- customers ----------------------------------------------------------------------
  function segmentChips(segments) {
    if (!segments.length) return "—";
    return segments.map((s) => h("span", { class: "chip", title: s.name },
      s.category === null ? s.name : `${s.category}: ${s.value}`));
  }

  async function loadCustomers() {
    const query = new URLSearchParams({ page: state.page, limit: 20 });
    if (state.search) query.set("search", state.search);
    const data = await api("GET", `/_emulator/customers?${query}`);
    const pages = Math.max(1, Math.ceil(data.total / data.limit));
    if (state.page > pages) { state.page = pages; return loadCustomers(); }
    fill($("#category-list"), data.categories.map((c) => h("option", { value: c.name })));
    $("#page-info").textContent = `Page ${state.page} of ${pages} · ${count(data.total)} customer(s)`;
    $("#page-prev").disabled = state.page <= 1;
    $("#page-next").disabled = !data.has_more;
    if (!changed("customers", data)) return;
    const rows = data.customers.map((c) => h("tr", { "data-id": c.id },
      td(c.source_id ?? "—", "id"), td(c.name), td(c.email), td(count(c.loyalty_points), "num"),
      td(segmentChips(c.segments)), td(when(c.created_at))));
    fill($("#customers-table tbody"), rows.length ? rows
      : [emptyRow(6, state.search ? "No customer matches the search." : "No customers yet: add one or upload a customer list.")]);
  }

  function toggleAddForm(open) {
    const form = $("#add-customer");
    form.hidden = !open;
    $("#add-customer-toggle").setAttribute("aria-expanded", String(open));
    if (open) form.elements.identifier.focus();
  }

  async function addCustomer(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const error = $("[data-error]", form);
    const value = (name) => form.elements[name].value.trim();
    const body = { identifier: value("identifier") };
    for (const name of ["name", "email"]) if (value(name)) body[name] = value(name);
    if (value("loyalty_points")) body.loyalty_points = Number(value("loyalty_points"));
    if (value("category")) body.segments = { [value("category")]: value("value") };
    try {
      const customer = await api("POST", "/_emulator/customers", body);
      error.textContent = "";
      form.reset();
      toggleAddForm(false);
      notify(`Customer ${customer.source_id} added`);
      state.page = 1;
      await loadCustomers();
    } catch (failure) { error.textContent = failure.message; }
  }

  // ---- customer-list upload -----------------------------------------------------------
  function troubleTable(errors) {
    return h("table", {},
      h("caption", { class: "sr-only" }, "Troubleshooting errors"),
      h("thead", {}, h("tr", {}, ["Row", "Line", "Column", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, errors.slice(0, SHOWN).map((e) => h("tr", {},
        td(e.row ?? "—", "num"), td(e.line ?? "—", "num"), td(e.column ?? "—"), td(e.reason)))));
  }

  function more(list) {
    return list.length > SHOWN ? h("p", { class: "hint" }, `… and ${count(list.length - SHOWN)} more`) : null;
  }

  function changeText(change) {
    const what = change.field ?? change.category;
    return `${what}: ${change.from ?? "(none)"} → ${change.to}`;
  }

  function existingTable(items) {
    return h("table", { id: "existing-table" },
      h("caption", {}, "Customers that already exist"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Identifier"), h("th", { scope: "col" }, "What would change"))),
      h("tbody", {}, items.slice(0, SHOWN).map((c) => h("tr", {}, td(c.identifier, "id"),
        td(c.changes.length ? h("ul", { class: "changes" }, c.changes.map((x) => h("li", {}, changeText(x)))) : "no changes")))));
  }

  function newTable(items) {
    return h("table", { id: "new-table" },
      h("caption", {}, "New customers"),
      h("thead", {}, h("tr", {}, ["Identifier", "Name", "Email", "Loyalty points", "Segments"].map((t) =>
        h("th", { scope: "col", class: t === "Loyalty points" ? "num" : null }, t)))),
      h("tbody", {}, items.slice(0, SHOWN).map((c) => h("tr", {}, td(c.identifier, "id"), td(c.name), td(c.email),
        td(c.loyalty_points ?? "", "num"), td(Object.entries(c.segments).map(([k, v]) => h("span", { class: "chip" }, `${k}: ${v}`)))))));
  }

  function categoriesLine(categories) {
    if (!categories.length) return null;
    return h("p", {}, "Segment categories: ", categories.map((c, i) => [i ? "; " : "",
      h("strong", {}, c.name), ` (${c.values.join(", ") || "no values"})${c.existing ? "" : " — new"}`]));
  }

  function showResult(...nodes) { fill($("#upload-result"), nodes); }

  function showTroubles(title, errors) {
    showResult(h("div", { class: "result problem", role: "alert" },
      h("h3", {}, title),
      h("p", {}, "The file cannot be uploaded. Fix these problems and upload it again."),
      troubleTable(errors), more(errors)));
  }

  function showConfirmed(list) {
    const r = list.result;
    showResult(h("div", { class: "result", role: "status" },
      h("h3", {}, "Customer list uploaded"),
      h("p", { id: "upload-message" }, r.message),
      categoriesLine(list.categories)));
  }

  function showPreview(list) {
    const changedCount = list.existing_customers.filter((c) => c.changes.length).length;
    showResult(h("div", { class: "result question" },
      h("h3", {}, "Some customers already exist"),
      h("p", {}, `${count(list.summary.existing)} of the ${count(list.summary.rows)} customers in ${list.file.name || "the file"} already exist` +
        ` (${count(changedCount)} with new information). Update them, or add only the ${count(list.summary.new)} new customer(s).`),
      categoriesLine(list.categories),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "yellow", onclick: () => confirmList(list.id, true) }, "Update customers"),
        h("button", { type: "button", class: "secondary", onclick: () => confirmList(list.id, false) }, "Add only new customers"),
        h("button", { type: "button", class: "secondary", onclick: () => showResult() }, "Cancel")),
      existingTable(list.existing_customers), more(list.existing_customers),
      list.new_customers.length ? [newTable(list.new_customers), more(list.new_customers)] : null));
  }

  async function confirmList(id, updateExisting) {
    try {
      const list = await api("POST", `/_emulator/customer-lists/${encodeURIComponent(id)}/confirm`, { update_existing: updateExisting });
      showConfirmed(list);
      notify(list.result.message);
      shown.delete("customers");
    } catch (error) {
      showResult(h("div", { class: "result problem", role: "alert" }, h("h3", {}, "Not applied"), h("p", {}, error.message)));
    }
    await loadUploads().catch(problem);
  }

  async function upload(event) {
    event.preventDefault();
    notify("");  // the last upload's message is not this file's
    const file = $("#upload-file").files[0];
    if (!file) return showTroubles("Troubleshooting errors", [{ row: null, line: null, column: null, reason: "Choose a .csv file first" }]);
    if (file.size > MAX_BYTES) {
      return showTroubles("Troubleshooting errors", [{ row: null, line: null, column: null,
        reason: `The file is ${count(file.size)} bytes; at most ${count(MAX_BYTES)} bytes (10 MB) can be uploaded` }]);
    }
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const list = await api("POST", "/_emulator/customer-lists", form);
      if (list.status === "INVALID") showTroubles("Troubleshooting errors", list.errors);
      else if (list.existing_customers.some((c) => c.changes.length)) showPreview(list);
      else await confirmList(list.id, false);
    } catch (error) {
      showTroubles("Troubleshooting errors", [{ row: null, line: null, column: null, reason: error.message }]);
    }
    await loadUploads().catch(problem);
  }

  async function loadUploads() {
    const data = await api("GET", "/_emulator/customer-lists");
    if (!changed("uploads", data)) return;
    const rows = data.customer_lists.map((l) => h("tr", {}, td(l.id, "id"), td(l.file.name), td(h("span", { class: `badge ${l.status}` }, l.status)),
      td(count(l.summary.rows), "num"), td(count(l.summary.new), "num"), td(count(l.summary.existing), "num"),
      td(count(l.summary.errors), "num"), td(when(l.created_at))));
    fill($("#uploads-table tbody"), rows.length ? rows : [emptyRow(8, "No uploads yet.")]);
  }

  // ---- async actions ------------------------------------------------------------------
  function resultText(job) {
    const result = job.result;
    if (!result) return job.status === "DONE" || job.status === "FAILED" ? "" : "—";
    const summary = result.message ?? `${result.done_count ?? 0} done, ${result.failed_count ?? 0} failed`;
    return [h("span", {}, summary), h("details", {}, h("summary", {}, "Result"), h("pre", {}, JSON.stringify(result, null, 2)))];
  }

  function jobButtons(job) {
    if (job.status === "DONE" || job.status === "FAILED") return "—";
    const control = (body, done) => async () => {
      try {
        await api("POST", `/_emulator/async-actions/${encodeURIComponent(job.id)}`, body);
        notify(`${job.id} ${done}`);
        await refresh();
      } catch (error) { problem(error); }
    };
    return h("div", { class: "actions" },
      job.hold
        ? h("button", { type: "button", class: "small", key: `release-${job.id}`, onclick: control({ hold: false }, "released") }, "Release")
        : h("button", { type: "button", class: "small", key: `hold-${job.id}`, onclick: control({ hold: true }, "held") }, "Hold"),
      h("button", { type: "button", class: "small danger", key: `fail-${job.id}`,
        onclick: () => control({ fail: $("#fail-reason").value || "Failed from the dashboard" }, "failed")() }, "Fail"));
  }

  async function loadJobs() {
    const data = await api("GET", "/_emulator/async-actions?limit=100");
    if (!changed("jobs", data.async_actions)) return;
    const rows = data.async_actions.map((job) => h("tr", { "data-id": job.id },
      td(job.id, "id"), td(job.type),
      td([h("span", { class: `badge ${job.status}` }, job.status), job.hold ? " (held)" : ""]),
      td([h("progress", { max: 100, value: job.progress, "aria-label": `Progress of ${job.id}` }, `${job.progress}%`),
        " ", h("span", { class: "pct" }, `${job.progress}%`)]),
      td(when(job.created_at)), td(resultText(job)), td(jobButtons(job))));
    fill($("#jobs-table tbody"), rows.length ? rows : [emptyRow(7, "No async actions yet.")]);
  }

  // ---- request journal ----------------------------------------------------------------
  function keepEntry(entry, filters) {
    if (filters.status === "ok" && entry.status >= 400) return false;
    if (filters.status === "error" && entry.status < 400) return false;
    if (filters.outcome === "fault") return String(entry.outcome).startsWith("fault");
    return !filters.outcome || entry.outcome === filters.outcome;
  }

  function pretty(text) {
    if (text === null || text === undefined) return "(none)";
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
  }

  function bodies(entry) {
    const details = h("details", { ontoggle: (e) => e.currentTarget.open ? state.openBodies.add(entry.id) : state.openBodies.delete(entry.id) },
      h("summary", {}, "Show"),
      h("p", {}, "Request"), h("pre", {}, pretty(entry.request_body)),
      h("p", {}, "Response"), h("pre", {}, pretty(entry.response_body)));
    details.open = state.openBodies.has(entry.id);
    return details;
  }

  async function loadJournal() {
    const form = $("#journal-filters");
    const filters = Object.fromEntries(new FormData(form));
    const query = new URLSearchParams({ limit: filters.limit || "50" });
    if (!filters.all) query.set("tenant", state.tenant);
    if (filters.method) query.set("method", filters.method);
    if (filters.path) query.set("path", filters.path.trim());
    const data = await api("GET", `/_emulator/requests?${query}`);
    const entries = data.requests.filter((entry) => keepEntry(entry, filters));
    if (!changed("journal", entries)) return;
    const rows = entries.map((e) => h("tr", {}, td(when(e.at), "time"), td(e.tenant ?? "—"), td(e.method),
      td(e.query ? `${e.path}?${e.query}` : e.path, "id path"),
      td(h("span", { class: `badge ${e.status >= 400 || e.status === 0 ? "err" : "ok"}` }, e.status), "num"),
      td(e.outcome), td(e.duration_ms, "num"), td(bodies(e))));
    fill($("#journal-table tbody"), rows.length ? rows : [emptyRow(8, "No requests match.")]);
  }

  // ---- faults -------------------------------------------------------------------------
  function effect(fault) {
    const parts = [];
    if (fault.status) parts.push(`status ${fault.status}`);
    if (fault.latency_ms) parts.push(`latency ${fault.latency_ms[0]}–${fault.latency_ms[1]} ms`);
    if (fault.rate_limit) parts.push(`rate limit ${fault.rate_limit.capacity}, +${fault.rate_limit.refill_per_second}/s`);
    if (fault.drop) parts.push("drop connection");
    return parts.join(", ");
  }

  let faults = [];
  async function loadFaults() {
    const data = await api("GET", "/_emulator/faults");
    faults = data.faults.filter((f) => f.tenant === "*" || f.tenant === state.tenant);
    if (!changed("faults", faults)) return;
    const rows = faults.map((f) => h("tr", {}, td(f.id, "id"), td(f.tenant === "*" ? "every tenant" : f.tenant), td(f.method ?? "any"),
      td(f.path, "id"), td(effect(f)), td(f.times ?? "every request"),
      td(h("button", { type: "button", class: "small danger", key: `remove-${f.id}`, onclick: () => removeFaults([f.id]) }, "Remove"))));
    fill($("#faults-table tbody"), rows.length ? rows : [emptyRow(7, "No faults.")]);
  }

  async function removeFaults(ids) {
    try {
      for (const id of ids) await api("DELETE", `/_emulator/faults/${encodeURIComponent(id)}`);
      notify(`${ids.length} fault(s) removed`);
      await loadFaults();
    } catch (error) { problem(error); }
  }

  function faultSpec(form) {
    const value = (name) => form.elements[name].value.trim();
    const spec = { path: value("path") || "/v1/*", tenant: state.tenant };
    if (value("method")) spec.method = value("method");
    if (value("times")) spec.times = Number(value("times"));
    const kind = value("kind");
    if (kind === "status") spec.status = Number(value("status"));
    if (kind === "latency") spec.latency_ms = Number(value("latency_ms"));
    if (kind === "rate_limit") spec.rate_limit = { capacity: Number(value("capacity")), refill_per_second: Number(value("refill")) };
    if (kind === "drop") spec.drop = true;
    return spec;
  }

  async function addFault(event) {
    event.preventDefault();
    const form = event.currentTarget;
    try {
      const added = await api("POST", "/_emulator/faults", faultSpec(form));
      $("[data-error]", form).textContent = "";
      notify(`Fault ${added.faults[0].id} added`);
      await loadFaults();
    } catch (error) { $("[data-error]", form).textContent = error.message; }
  }

  function showFaultInputs() {
    const kind = $("#fault-form").elements.kind.value;
    for (const label of document.querySelectorAll("#fault-form [data-kind]")) label.hidden = label.dataset.kind !== kind;
  }

  // ---- views and polling --------------------------------------------------------------
  const views = { customers: loadCustomers, upload: loadUploads, jobs: loadJobs, journal: loadJournal, faults: loadFaults };

  function route() {
    const wanted = location.hash.slice(1);
    state.view = wanted in views ? wanted : "customers";
    for (const name of Object.keys(views)) $(`#view-${name}`).hidden = name !== state.view;
    for (const link of document.querySelectorAll(".tabs a")) {
      if (link.getAttribute("href") === `#${state.view}`) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
    refresh();
  }

  let failing = false;
  async function refresh() {
    if (!state.tenant) return;
    try {
      await Promise.all([loadClock(), views[state.view]()]);
      if (failing) notify("");
      failing = false;
    } catch (error) {
      failing = true;
      problem(error);
    }
  }

  function tick() {
    if (document.hidden) return;
    state.ticks += 1;
    // Jobs and the journal are live; the other views refresh every few seconds.
    if (state.view === "jobs" || state.view === "journal" || state.ticks % 5 === 0) refresh();
    else loadClock().catch(problem);
  }

  let searchTimer;
  function wire() {
    $("#tenant-form").addEventListener("submit", openTenant);
    $("#clock-advance").addEventListener("click", advance);
    $("#clock-idle").addEventListener("click", untilIdle);
    $("#clock-switch").addEventListener("change", switchMode);
    $("#customer-search").addEventListener("input", (event) => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        state.search = event.target.value.trim();
        state.page = 1;
        loadCustomers().catch(problem);
      }, 250);
    });
    $("#page-prev").addEventListener("click", () => { state.page -= 1; loadCustomers().catch(problem); });
    $("#page-next").addEventListener("click", () => { state.page += 1; loadCustomers().catch(problem); });
    $("#add-customer-toggle").addEventListener("click", () => toggleAddForm($("#add-customer").hidden));
    $("#add-customer").addEventListener("submit", addCustomer);
    $("#add-customer [data-cancel]").addEventListener("click", () => toggleAddForm(false));
    $("#upload-form").addEventListener("submit", upload);
    $("#journal-filters").addEventListener("change", () => loadJournal().catch(problem));
    $("#journal-filters").addEventListener("submit", (event) => event.preventDefault());
    $("#fault-form").addEventListener("submit", addFault);
    $("#fault-form").elements.kind.addEventListener("change", showFaultInputs);
    $("#faults-clear").addEventListener("click", () =>
      removeFaults(faults.filter((f) => f.tenant === state.tenant).map((f) => f.id)));
    window.addEventListener("hashchange", route);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("#add-customer").hidden) toggleAddForm(false);
    });
  }

  async function start() {
    wire();
    showFaultInputs();
    await chooseTenant();
    route();
    setInterval(tick, 1000);
  }
  start();
})();
