// pcf workbench: the browser side of /app (served by pcf.api.workbench; no build step).
// Calls the JSON API under /v1 with the API key kept in this tab's sessionStorage only, and
// draws charts with Plotly (vendored, served from /app/static/). Every chart can be saved as
// PNG or SVG, every table as CSV (full-precision numbers, from each cell's data-value).
// Compare also shows, from the API: Monte Carlo intervals (error bars), GSD and the probability
// of being below the reference; each case's PACT dqi and primary data share; the sensitivity of
// a case; the stored supplier footprints and a company's footprint with its supplier parts.
"use strict";

(function () {
  var KEY = "pcf.apiKey";
  var page = document.body.getAttribute("data-page");
  var catalogue = JSON.parse(document.getElementById("catalogue").textContent);
  var STAGE_COLORS = ["#1b6ca8", "#f2a541", "#5aa469", "#c8553d", "#8e7dbe", "#3d9970",
                      "#b56576", "#6c757d"];

  // ------------------------------------------------------------------ key and API calls
  function apiKey() { return sessionStorage.getItem(KEY); }

  function showMessage(text, kind) {
    var box = document.getElementById("message");
    if (!text) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.className = "message " + (kind || "info");
    box.textContent = text;
  }

  function problemText(status, body) {
    if (body && body.detail) {
      var text = body.detail;
      if (status === 401) { text += " Sign in with a valid API key (top right)."; }
      if (status === 403) { text += " (your key's role may not do this)"; }
      return text;
    }
    return "HTTP " + status;
  }

  // fetch with the key; JSON in and out unless told otherwise. Throws Error(detail) on a
  // problem answer, with .status and .body.
  async function api(path, opts) {
    opts = opts || {};
    var headers = Object.assign({}, opts.headers || {});
    var key = apiKey();
    if (key) { headers["Authorization"] = "Bearer " + key; }
    var init = { method: opts.method || "GET", headers: headers };
    if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.json);
    } else if (opts.body !== undefined) {
      init.body = opts.body;
      if (opts.contentType) { headers["Content-Type"] = opts.contentType; }
    }
    var resp = await fetch(path, init);
    if (!resp.ok) {
      var body = null;
      try { body = await resp.json(); } catch (e) { body = null; }
      var err = new Error(problemText(resp.status, body));
      err.status = resp.status;
      err.body = body;
      throw err;
    }
    if (opts.raw) { return resp; }
    return resp.json();
  }

  function guard(fn) {
    return async function (event) {
      if (event && event.preventDefault) { event.preventDefault(); }
      if (!apiKey()) { showMessage("Sign in first: paste your API key at the top right.", "error"); return; }
      showMessage("");
      document.body.classList.add("busy");
      try { await fn.apply(this, arguments); }
      catch (err) {
        var detail = err.message;
        if (err.body && err.body.errors) {
          detail += " — " + Object.keys(err.body.errors).map(function (k) {
            return k + ": " + err.body.errors[k].join(" ");
          }).join("; ");
        }
        showMessage(detail, "error");
      } finally { document.body.classList.remove("busy"); }
    };
  }

  // Pages whose calls need an engineer or admin key (POST /v1/comparisons).
  var ENGINEER_PAGES = { compare: true, sweep: true };

  // The key's tenant and role (GET /v1/tenant), shown beside the key; a customer key on a
  // page it cannot use is told so before its first 403.
  async function showRole() {
    var box = document.getElementById("key-role");
    box.textContent = "";
    if (!apiKey()) { return; }
    try {
      var own = await api("/v1/tenant");
      box.textContent = "as " + own.name + " (" + own.role + ")";
      if (own.role === "customer" && ENGINEER_PAGES[document.body.dataset.page]) {
        showMessage("This is a customer key: comparing and sweeping need an engineer or " +
                    "admin key. Orders, certificates and reductions work with it.", "info");
      }
    } catch (err) { box.textContent = ""; }
  }

  function setupSignin() {
    var form = document.getElementById("signin");
    var input = document.getElementById("api-key");
    function refresh() {
      var key = apiKey();
      document.getElementById("signed-in").hidden = !key;
      document.getElementById("signed-out").hidden = !!key;
      document.getElementById("key-prefix").textContent = key ? key.slice(0, 8) + "…" : "";
      showRole();
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      var key = input.value.trim();
      if (!key) { return; }
      sessionStorage.setItem(KEY, key);
      try {
        await api("/v1/orders?limit=1");
        input.value = "";
        refresh();
        showMessage("Signed in. The key stays in this tab only.", "ok");
        document.dispatchEvent(new Event("pcf:signed-in"));
      } catch (err) {
        sessionStorage.removeItem(KEY);
        refresh();
        showMessage(err.status === 401 ? "That API key is not valid." : err.message, "error");
      }
    });
    document.getElementById("signout").addEventListener("click", function () {
      sessionStorage.removeItem(KEY);
      refresh();
      showMessage("Signed out; the key was removed from this tab.", "info");
    });
    refresh();
  }

  // ------------------------------------------------------------------ formatting
  function fmt(x, digits) {
    if (x === null || x === undefined || x === "") { return ""; }
    if (typeof x !== "number") { return String(x); }
    if (!isFinite(x)) { return String(x); }
    var ax = Math.abs(x);
    if (ax >= 1000) { return Math.round(x).toLocaleString("en-US"); }
    if (ax === 0) { return "0"; }
    return Number(x.toPrecision(digits || 4)).toString();
  }
  function pct(x) { return x === null || x === undefined ? "" : (x * 100).toFixed(1) + " %"; }
  function signed(x) { return (x > 0 ? "+" : "") + fmt(x); }

  // ------------------------------------------------------------------ tables
  // columns: [{key, title, num?, format?}]; rows: objects. Cells keep the raw value in
  // data-value (the CSV and the tests read it), the text shows it formatted.
  function renderTable(id, columns, rows, opts) {
    opts = opts || {};
    var table = document.getElementById(id);
    table.innerHTML = "";
    var thead = table.createTHead().insertRow();
    columns.forEach(function (c) {
      var th = document.createElement("th");
      th.textContent = c.title;
      th.setAttribute("data-key", c.key);
      if (c.num) { th.className = "num"; }
      thead.appendChild(th);
    });
    var tbody = table.createTBody();
    rows.forEach(function (row) {
      var tr = tbody.insertRow();
      if (opts.rowAttrs) {
        var attrs = opts.rowAttrs(row);
        Object.keys(attrs).forEach(function (k) { tr.setAttribute(k, attrs[k]); });
      }
      columns.forEach(function (c) {
        var td = tr.insertCell();
        var value = typeof c.value === "function" ? c.value(row) : row[c.key];
        td.setAttribute("data-key", c.key);
        if (c.html) {
          td.appendChild(c.html(row));
        } else {
          td.textContent = c.format ? c.format(value, row) : (c.num ? fmt(value) : (value === null || value === undefined ? "" : String(value)));
        }
        if (value !== null && value !== undefined && typeof value !== "object") {
          td.setAttribute("data-value", String(value));
        }
        if (c.num) { td.className = "num"; }
      });
    });
    var panel = document.querySelector('[data-table-panel="' + id + '"]');
    if (panel) { panel.hidden = false; }
    return table;
  }

  function csvCell(text) {
    text = String(text);
    return /[",;\n\r]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function tableCsv(table) {
    var lines = [];
    Array.prototype.forEach.call(table.rows, function (tr) {
      var cells = Array.prototype.map.call(tr.cells, function (cell) {
        var value = cell.getAttribute("data-value");
        return csvCell(value !== null ? value : cell.textContent.trim());
      });
      lines.push(cells.join(","));
    });
    return lines.join("\n") + "\n";
  }

  function saveBlob(blob, filename) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(url); a.remove(); }, 1000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-table-download]");
    if (button) {
      var id = button.getAttribute("data-table-download");
      var table = document.getElementById(id);
      saveBlob(new Blob([tableCsv(table)], { type: "text/csv" }), (table.getAttribute("data-filename") || id) + ".csv");
      return;
    }
    button = event.target.closest("[data-chart-download]");
    if (button) {
      var chartId = button.getAttribute("data-chart-download");
      var format = button.getAttribute("data-format");
      var div = document.getElementById(chartId);
      window.Plotly.downloadImage(div, { format: format, filename: div.getAttribute("data-filename") || chartId,
                                         width: div.clientWidth || 900, height: div.clientHeight || 450 });
    }
  });

  // ------------------------------------------------------------------ charts
  function plot(id, traces, layout, filename) {
    var div = document.getElementById(id);
    div.closest("[data-chart]").hidden = false;
    div.setAttribute("data-filename", filename || id);
    layout = Object.assign({ margin: { t: 30, r: 20, b: 60, l: 70 }, font: { family: "DejaVu Sans, sans-serif", size: 13 },
                             legend: { orientation: "h", y: -0.2 }, paper_bgcolor: "#fff", plot_bgcolor: "#fff" }, layout);
    return window.Plotly.react(div, traces, layout, { displaylogo: false, responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"], toImageButtonOptions: { filename: filename || id } });
  }

  function productOf(id) { return catalogue.find(function (p) { return p.id === id; }); }

  // ------------------------------------------------------------------ compare
  function caseColumns() {
    var heads = document.querySelectorAll('#cases thead tr:first-child th.case');
    return Array.prototype.map.call(heads, function (th) { return th.getAttribute("data-case"); });
  }

  function readCases() {
    var refCol = (document.querySelector('#cases input[name="reference"]:checked') || {}).value;
    var reference = null;
    var cases = caseColumns().map(function (col) {
      var sel = '[data-case="' + col + '"]';
      var label = document.querySelector("#cases thead " + sel + " .case-label").value.trim();
      var variant = document.querySelector("#cases thead " + sel + " .case-variant").value;
      var parameters = {};
      document.querySelectorAll("#cases tbody td" + sel + " [data-param]").forEach(function (input) {
        var v = input.value.trim();
        if (v === "") { return; }
        var type = input.getAttribute("data-type");
        parameters[input.getAttribute("data-param")] =
          type === "number" ? Number(v) : (type === "boolean" ? v === "true" : v);
      });
      if (col === refCol) { reference = label; }
      var c = { label: label, parameters: parameters };
      if (variant) { c.variant = variant; }
      return c;
    });
    return { cases: cases, reference: reference };
  }

  // each case's empty inputs show what they stand for: the variant's value, else the default
  function showVariantValues(col) {
    var form = document.getElementById("compare-form");
    var product = productOf(form.getAttribute("data-product"));
    var variant = document.querySelector('#cases thead [data-case="' + col + '"] .case-variant').value;
    var values = (variant && product.variants[variant]) || {};
    document.querySelectorAll('#cases tbody td[data-case="' + col + '"] [data-param]').forEach(function (input) {
      var name = input.getAttribute("data-param");
      var spec = product.parameters.find(function (x) { return x.name === name; });
      var value = name in values ? values[name] : (spec ? spec.default : null);
      var text = value === null || value === undefined ? "" : String(value);
      if (input.tagName === "INPUT") { input.placeholder = text; }
      else if (input.options[0]) { input.options[0].textContent = text ? "(" + text + ")" : "(variant/default)"; }
      input.title = name in values ? "variant " + variant + ": " + text : "default: " + text;
    });
  }

  function addCase() {
    var cols = caseColumns();
    var last = cols[cols.length - 1];
    var next = String(Math.max.apply(null, cols.map(Number)) + 1);
    document.querySelectorAll('#cases [data-case="' + last + '"]').forEach(function (cell) {
      var copy = cell.cloneNode(true);
      copy.setAttribute("data-case", next);
      var radio = copy.querySelector('input[name="reference"]');
      if (radio) { radio.value = next; radio.checked = false; }
      var label = copy.querySelector(".case-label");
      if (label) { label.value = label.value + " (copy)"; }
      if (copy.tagName === "TH" && radio && !copy.querySelector(".remove-case")) {
        var b = document.createElement("button");
        b.type = "button"; b.className = "remove-case"; b.title = "remove this case"; b.textContent = "×";
        copy.appendChild(b);
      }
      // keep the chosen values of selects (cloneNode copies attributes, not the state)
      var src = cell.querySelectorAll("select");
      copy.querySelectorAll("select").forEach(function (s, i) { s.value = src[i].value; });
      cell.parentNode.appendChild(copy);
    });
    showVariantValues(next);
  }

  function removeCase(col) {
    if (caseColumns().length <= 1) { return; }
    var wasRef = document.querySelector('#cases [data-case="' + col + '"] input[name="reference"]:checked');
    document.querySelectorAll('#cases [data-case="' + col + '"]').forEach(function (cell) { cell.remove(); });
    if (wasRef) { document.querySelector('#cases input[name="reference"]').checked = true; }
  }

  var lastComparison = null;

  function renderComparison(doc) {
    lastComparison = doc;
    document.getElementById("compare-results").hidden = false;  // before plotting: charts take the width they get
    var unit = doc.declared_unit;
    var stages = doc.cases[0].footprint.stages.map(function (s) { return s.stage; });
    var rows = doc.cases.map(function (c) {
      var fp = c.footprint, row = {
        label: c.label, variant: fp.variant, reference: c.is_reference ? "yes" : "",
        total: fp.per_declared_unit.total, fossil: fp.per_declared_unit.fossil,
        biogenic: fp.per_declared_unit.biogenic, land_use: fp.per_declared_unit.land_use,
        absolute: c.difference.absolute, relative: c.difference.relative };
      fp.stages.forEach(function (s) { row["stage:" + s.stage] = s.kg_co2e_per_declared_unit; });
      if (fp.uncertainty) {
        var t = fp.uncertainty.per_declared_unit.total;
        row.mc_median = t.median; row.mc_p2_5 = t.p2_5; row.mc_p97_5 = t.p97_5; row.mc_gsd = t.gsd;
        row.mc_below = c.uncertainty ? c.uncertainty.probability_below_reference : null;
      }
      return row;
    });
    var mc = doc.cases[0].footprint.uncertainty;
    var columns = [
      { key: "label", title: "case" }, { key: "variant", title: "variant" },
      { key: "reference", title: "reference" },
      { key: "total", title: "total kg CO2e/" + unit, num: true },
      { key: "absolute", title: "Δ to reference", num: true, format: signed },
      { key: "relative", title: "Δ %", num: true, format: pct },
      { key: "fossil", title: "fossil", num: true }, { key: "biogenic", title: "biogenic", num: true },
      { key: "land_use", title: "land use", num: true }
    ];
    if (mc) {
      columns = columns.slice(0, 6).concat([
        { key: "mc_p2_5", title: "95 % low", num: true },
        { key: "mc_p97_5", title: "95 % high", num: true },
        { key: "mc_median", title: "median", num: true },
        { key: "mc_gsd", title: "GSD", num: true },
        { key: "mc_below", title: "P(below reference)", num: true,
          format: function (x, row) { return row.reference ? "reference" : pct(x); } }
      ], columns.slice(6));
    }
    columns = columns.concat(stages.map(function (s) { return { key: "stage:" + s, title: s, num: true }; }));
    var table = renderTable("compare-table", columns, rows, { rowAttrs: function (r) { return { "data-case": r.label }; } });
    table.setAttribute("data-filename", doc.product + "-comparison" + (mc ? "-mc" + mc.draws + "-seed" + mc.seed : ""));
    var mcNote = document.getElementById("mc-note");
    mcNote.hidden = !mc;
    mcNote.textContent = mc ? "Monte Carlo: " + mc.draws.toLocaleString("en-US") + " draws, seed " + mc.seed +
      " (the same draws for every case). The 95 % interval (low, high) runs from the 2.5th to the 97.5th percentile of the " +
      "total per " + unit + ", drawn as error bars around the median on the chart; GSD is the geometric standard deviation; P(below reference) is the share of draws " +
      "in which the case's total is below the reference's. " + mc.method + "." : "";
    if (mc) { mcNote.setAttribute("data-draws", String(mc.draws)); mcNote.setAttribute("data-seed", String(mc.seed)); }
    renderQuality(doc);

    var labels = doc.cases.map(function (c) { return c.label; });
    var traces = stages.map(function (stage, i) {
      return { type: "bar", name: stage, x: labels, marker: { color: STAGE_COLORS[i % STAGE_COLORS.length] },
               y: doc.cases.map(function (c) {
                 return c.footprint.stages.find(function (s) { return s.stage === stage; }).kg_co2e_per_declared_unit; }),
               hovertemplate: "%{x}<br>" + stage + ": %{y:.4g} kg CO2e/" + unit + "<extra></extra>" };
    });
    if (mc) {
      // each case's 95 % interval as an error bar around its Monte Carlo median
      var stats = doc.cases.map(function (c) { return c.footprint.uncertainty.per_declared_unit.total; });
      traces.push({ type: "scatter", mode: "markers", x: labels, name: "95 % interval (Monte Carlo, " + mc.draws + " draws, seed " + mc.seed + ")",
                    y: stats.map(function (t) { return t.median; }),
                    marker: { color: "#222", symbol: "diamond", size: 8 },
                    error_y: { type: "data", symmetric: false, color: "#222", thickness: 1.6, width: 10,
                               array: stats.map(function (t) { return t.p97_5 - t.median; }),
                               arrayminus: stats.map(function (t) { return t.median - t.p2_5; }) },
                    customdata: stats.map(function (t) { return [t.p2_5, t.p97_5, t.gsd]; }),
                    hovertemplate: "%{x}<br>median %{y:.4g}<br>95 %: %{customdata[0]:.4g} – %{customdata[1]:.4g}" +
                                   "<br>GSD %{customdata[2]:.3f}<extra></extra>" });
    }
    traces.push({ type: "scatter", mode: "text", x: labels, showlegend: false, textposition: "top center",
                  y: doc.cases.map(function (c) {
                    var total = c.footprint.per_declared_unit.total;
                    return mc ? Math.max(total, c.footprint.uncertainty.per_declared_unit.total.p97_5) : total; }),
                  text: doc.cases.map(function (c) { return fmt(c.footprint.per_declared_unit.total); }),
                  textfont: { size: 11 }, hoverinfo: "skip" });
    var ref = doc.cases.find(function (c) { return c.is_reference; });
    plot("stage-chart", traces, {
      barmode: "relative", yaxis: { title: { text: "kg CO2e per " + unit }, rangemode: "tozero", automargin: true },
      xaxis: { automargin: true }, legend: { orientation: "h", y: -0.3 }, margin: { t: 30, r: 20, b: 40, l: 70 },
      shapes: [{ type: "line", xref: "paper", x0: 0, x1: 1, y0: ref.footprint.per_declared_unit.total,
                 y1: ref.footprint.per_declared_unit.total, line: { dash: "dash", color: "#444", width: 1 } }]
    }, doc.product + "-stages");

    var select = document.getElementById("contribution-case");
    select.innerHTML = "";
    labels.forEach(function (l) { var o = document.createElement("option"); o.value = l; o.textContent = l; select.appendChild(o); });
    var nonRef = doc.cases.find(function (c) { return !c.is_reference; });
    select.value = (nonRef || doc.cases[0]).label;
    renderContributions();
  }

  function renderContributions() {
    var doc = lastComparison;
    var label = document.getElementById("contribution-case").value;
    var c = doc.cases.find(function (x) { return x.label === label; });
    var unit = doc.declared_unit;
    var items = c.footprint.contributions.slice().sort(function (a, b) {
      return Math.abs(b.kg_co2e_per_declared_unit) - Math.abs(a.kg_co2e_per_declared_unit); });
    var top = items.slice(0, 12), rest = items.slice(12);
    function cut(text, n) { text = text || ""; return text.length > n ? text.slice(0, n - 1) + "…" : text; }
    var seen = {};
    var bars = top.map(function (x) {
      // short, unique category names (Plotly merges bars of equal names): input → activity
      var name = cut(x.input, 30) + " → " + cut(x.activity, 18);
      seen[name] = (seen[name] || 0) + 1;
      if (seen[name] > 1) { name += " (" + seen[name] + ")"; }
      return { name: name, full: x.input + " → " + (x.activity || ""), value: x.kg_co2e_per_declared_unit, stage: x.stage }; });
    if (rest.length) {
      bars.push({ name: "other inputs (" + rest.length + ")", stage: "",
                  value: rest.reduce(function (s, x) { return s + x.kg_co2e_per_declared_unit; }, 0) });
    }
    bars.reverse();  // largest at the top of a horizontal bar chart
    plot("contribution-chart", [{
      type: "bar", orientation: "h", x: bars.map(function (b) { return b.value; }),
      y: bars.map(function (b) { return b.name; }), customdata: bars.map(function (b) { return b.full || b.name; }),
      marker: { color: bars.map(function (b) { return b.value < 0 ? "#5aa469" : "#1b6ca8"; }) },
      text: bars.map(function (b) { return fmt(b.value); }), textposition: "auto",
      hovertemplate: "%{customdata}<br>%{x:.4g} kg CO2e/" + unit + "<extra></extra>" }],
      { margin: { t: 20, r: 20, b: 50, l: 20 }, height: 120 + 28 * bars.length, yaxis: { automargin: true },
        xaxis: { title: { text: "kg CO2e/" + unit + ", case " + label } }, showlegend: false },
      doc.product + "-" + label + "-contributions");
    var refCase = doc.cases.find(function (x) { return x.is_reference; });
    var refBy = {};
    refCase.footprint.contributions.forEach(function (x) { refBy[x.input + "|" + x.activity] = x.kg_co2e_per_declared_unit; });
    var table = renderTable("contribution-table", [
      { key: "input", title: "input" }, { key: "activity", title: "into activity" }, { key: "stage", title: "stage" },
      { key: "amount", title: "amount", num: true }, { key: "unit", title: "unit" },
      { key: "kg_co2e_per_declared_unit", title: "kg CO2e/" + unit, num: true },
      { key: "share", title: "share", num: true, format: pct },
      { key: "reference", title: "in reference case", num: true }
    ], items.map(function (x) {
      return Object.assign({}, x, { share: x.kg_co2e_per_declared_unit / c.footprint.per_declared_unit.total,
                                    reference: refBy[x.input + "|" + x.activity] });
    }));
    table.setAttribute("data-filename", doc.product + "-" + label + "-contributions");
  }

  function setupCompare() {
    var form = document.getElementById("compare-form");
    if (!form) { return; }
    document.getElementById("add-case").addEventListener("click", addCase);
    document.getElementById("cases").addEventListener("click", function (event) {
      var b = event.target.closest(".remove-case");
      if (b) { removeCase(b.closest("[data-case]").getAttribute("data-case")); }
    });
    document.getElementById("contribution-case").addEventListener("change", renderContributions);
    document.getElementById("run-sensitivity").addEventListener("click", guard(runSensitivity));
    document.getElementById("company-form").addEventListener("submit", guard(runCompanyFootprint));
    var reloadSuppliers = guard(loadSuppliers);
    document.getElementById("company").addEventListener("change", reloadSuppliers);
    document.getElementById("company-year").addEventListener("change", reloadSuppliers);
    if (apiKey()) { reloadSuppliers(); }
    document.addEventListener("pcf:signed-in", reloadSuppliers);
    caseColumns().forEach(showVariantValues);
    document.querySelector("#cases thead").addEventListener("change", function (event) {
      if (event.target.classList.contains("case-variant")) {
        showVariantValues(event.target.closest("[data-case]").getAttribute("data-case"));
      }
    });
    form.addEventListener("submit", guard(async function () {
      var c = readCases();
      var body = { product: form.getAttribute("data-product"), cases: c.cases };
      if (c.reference) { body.reference = c.reference; }
      if (document.getElementById("mc-on").checked) { body.uncertainty = mcSettings(); }
      renderComparison(await api("/v1/comparisons", { method: "POST", json: body }));
    }));
  }

  // the draws and seed of the uncertainty options; a blank box goes to the API as null, so that
  // the API's answer names the field
  function mcSettings() {
    function num(id) { var v = document.getElementById(id).value.trim(); return v === "" ? null : Number(v); }
    return { draws: num("mc-draws"), seed: num("mc-seed") };
  }

  // data quality beside the result: each case's PACT dqi and primary data share
  function renderQuality(doc) {
    var keys = ["technologicalDQR", "geographicalDQR", "temporalDQR", "completenessDQR", "reliabilityDQR"];
    var rows = doc.cases.map(function (c) {
      var dqi = c.footprint.dqi || {}, primary = c.footprint.primary_data || {};
      var row = { label: c.label, coverage: dqi.coveragePercent, primary: primary.percent,
                  primary_kg: primary.kgCO2ePerDeclaredUnit, basis: primary.basis };
      keys.forEach(function (k) { row[k] = dqi[k]; });
      return row;
    });
    var columns = [{ key: "label", title: "case" }].concat(keys.map(function (k) {
      return { key: k, title: k.replace("DQR", ""), num: true }; }), [
      { key: "coverage", title: "coverage %", num: true },
      { key: "primary", title: "primary data %", num: true },
      { key: "primary_kg", title: "primary kg CO2e/" + doc.declared_unit, num: true }]);
    renderTable("quality-table", columns, rows, { rowAttrs: function (r) { return { "data-case": r.label }; } })
      .setAttribute("data-filename", doc.product + "-data-quality");
    var rule = (doc.cases[0].footprint.dqi || {}).rule;
    var note = document.getElementById("quality-note");
    var bases = {};
    rows.forEach(function (r) { if (r.basis) { (bases[r.basis] = bases[r.basis] || []).push(r.label); } });
    note.hidden = false;
    note.textContent = (rule ? "DQR: " + rule + ". " : "") + Object.keys(bases).map(function (b) {
      return "Primary data of " + bases[b].join(", ") + ": " + b + "."; }).join(" ");
  }

  // the case the detail panels are about: the one chosen for the contributions, else the first
  function chosenCase() {
    var cases = readCases().cases;
    var select = document.getElementById("contribution-case");
    var label = lastComparison && select.value;
    return cases.find(function (c) { return c.label === label; }) || cases[0];
  }

  function shortName(x, seen) {
    function cut(text, n) { text = text || ""; return text.length > n ? text.slice(0, n - 1) + "…" : text; }
    var name = cut(x.input, 30) + (x.activity ? " → " + cut(x.activity, 18) : "");
    seen[name] = (seen[name] || 0) + 1;
    return seen[name] > 1 ? name + " (" + seen[name] + ")" : name;
  }

  async function runSensitivity() {
    var form = document.getElementById("compare-form");
    var product = form.getAttribute("data-product");
    var c = chosenCase(), mc = mcSettings();
    var query = [];
    if (c.variant) { query.push("variant=" + encodeURIComponent(c.variant)); }
    Object.keys(c.parameters).forEach(function (k) {
      query.push("set=" + encodeURIComponent(k + "=" + c.parameters[k])); });
    if (mc.draws !== null) { query.push("draws=" + encodeURIComponent(mc.draws)); }
    if (mc.seed !== null) { query.push("seed=" + encodeURIComponent(mc.seed)); }
    var doc = await api("/v1/products/" + encodeURIComponent(product) + "/sensitivity?" + query.join("&"));
    var unit = doc.declared_unit, t = doc.total;
    var note = document.getElementById("sensitivity-note");
    note.hidden = false;
    note.setAttribute("data-case", c.label);
    note.textContent = "Case " + c.label + ": " + doc.draws.toLocaleString("en-US") + " draws, seed " + doc.seed +
      "; total median " + fmt(t.median) + " kg CO2e/" + unit + ", 95 % interval " + fmt(t.p2_5) + " – " + fmt(t.p97_5) +
      ", GSD " + fmt(t.gsd) + (doc.r_squared !== null && doc.r_squared !== undefined ?
        "; the parameters' linear regression explains R² = " + fmt(doc.r_squared, 3) + " of their variance" : "") + ".";
    // both panels shown before either is drawn: they share a grid row, and a chart takes the
    // width it gets when drawn
    ["variance-chart", "src-chart"].forEach(function (id) {
      document.getElementById(id).closest("[data-chart]").hidden = false; });
    var seen = {};
    var inputs = doc.inputs.slice().sort(function (a, b) { return b.variance_share - a.variance_share; });
    var bars = inputs.map(function (x) {
      return { name: shortName(x, seen), full: x.input + " → " + (x.activity || ""), value: x.variance_share }; });
    if (Math.abs(doc.inputs_other_share) > 1e-9) {
      bars.push({ name: "other inputs", full: "other inputs", value: doc.inputs_other_share });
    }
    bars.reverse();  // largest at the top
    var base = product + "-" + c.label;
    plot("variance-chart", [{
      type: "bar", orientation: "h", x: bars.map(function (b) { return b.value; }),
      y: bars.map(function (b) { return b.name; }), customdata: bars.map(function (b) { return b.full; }),
      marker: { color: "#8e7dbe" }, text: bars.map(function (b) { return pct(b.value); }), textposition: "auto",
      hovertemplate: "%{customdata}<br>%{x:.1%} of Var(total)<extra></extra>" }],
      { margin: { t: 20, r: 20, b: 50, l: 20 }, height: 140 + 28 * bars.length, yaxis: { automargin: true },
        xaxis: { title: { text: "share of the variance of the total, case " + c.label }, tickformat: ".0%" },
        showlegend: false }, base + "-variance-shares");
    renderTable("variance-table", [
      { key: "input", title: "input" }, { key: "activity", title: "into activity" }, { key: "kind", title: "kind" },
      { key: "stage", title: "stage" }, { key: "variance_share", title: "variance share", num: true, format: pct },
      { key: "mean_kg_co2e_per_declared_unit", title: "mean kg CO2e/" + unit, num: true }
    ], inputs.concat(Math.abs(doc.inputs_other_share) > 1e-9 ?
      [{ input: "other inputs", variance_share: doc.inputs_other_share }] : []))
      .setAttribute("data-filename", base + "-variance-shares");
    var src = doc.parameters_src.slice().sort(function (a, b) { return Math.abs(b.src) - Math.abs(a.src); });
    var rev = src.slice().reverse();
    plot("src-chart", [{
      type: "bar", orientation: "h", x: rev.map(function (p) { return p.src; }), y: rev.map(function (p) { return p.parameter; }),
      marker: { color: rev.map(function (p) { return p.src < 0 ? "#5aa469" : "#c8553d"; }) },
      text: rev.map(function (p) { return fmt(p.src, 3); }), textposition: "auto",
      hovertemplate: "%{y}<br>SRC %{x:.3f}<extra></extra>" }],
      { margin: { t: 20, r: 20, b: 50, l: 20 }, height: 140 + 28 * Math.max(1, rev.length), yaxis: { automargin: true },
        xaxis: { title: { text: "standardized regression coefficient (−1 … 1)" }, range: [-1, 1] }, showlegend: false },
      base + "-parameter-src");
    renderTable("src-table", [
      { key: "parameter", title: "parameter" }, { key: "src", title: "SRC", num: true },
      { key: "default", title: "default", num: true }, { key: "gsd", title: "GSD of the parameter", num: true }
    ], src).setAttribute("data-filename", base + "-parameter-src");
  }

  // the stored supplier footprints (engineer and admin keys); other roles get a note, not an error
  async function loadSuppliers() {
    var company = document.getElementById("company").value;
    var year = document.getElementById("company-year").value.trim();
    var query = company ? "?company=" + encodeURIComponent(company) + (year ? "&year=" + encodeURIComponent(year) : "") : "";
    var note = document.getElementById("supplier-note");
    var doc;
    try { doc = await api("/v1/supplier-footprints" + query); }
    catch (err) {
      if (err.status !== 403) { throw err; }
      document.querySelector('[data-table-panel="supplier-table"]').hidden = true;
      note.setAttribute("data-status", "403");
      note.textContent = "Your key's role may not read the stored supplier footprints (engineer and admin keys can): " + err.message;
      return;
    }
    var rows = doc.supplier_footprints.map(function (r) {
      return { id: r.id, company: r.company, year: r.year, input: r.input, supplier: r.supplier,
               product_name: r.product_name, share: r.share, total: r.kg_co2e_per_kg.total,
               primary: r.primary_data_share, verification: (r.verification || {}).status, way_in: r.way_in,
               valid_until: (r.valid_until || "").slice(0, 10), flags: (r.flags || []).join("; ") };
    });
    note.removeAttribute("data-status");
    note.setAttribute("data-query", query);  // which list is shown (the tests wait for it)
    note.textContent = rows.length ? rows.length + " stored supplier footprint(s)" + (company ? " of " + company + (year ? " " + year : "") : "") + "." :
      "No supplier footprint stored" + (company ? " for " + company + (year ? " " + year : "") : "") +
      ": store them with pcf suppliers import or POST /v1/supplier-footprints.";
    renderTable("supplier-table", [
      { key: "company", title: "company" }, { key: "year", title: "year", format: String }, { key: "input", title: "input replaced" },
      { key: "supplier", title: "supplier" }, { key: "product_name", title: "supplier's product" },
      { key: "share", title: "share of purchases", num: true, format: pct },
      { key: "total", title: "kg CO2e per kg", num: true }, { key: "primary", title: "primary data %", num: true },
      { key: "verification", title: "verification" }, { key: "way_in", title: "way in" },
      { key: "valid_until", title: "valid until" }, { key: "flags", title: "flags" }
    ], rows, { rowAttrs: function (r) { return { "data-id": r.id }; } }).setAttribute("data-filename", "supplier-footprints" + (company ? "-" + company : ""));
  }

  async function runCompanyFootprint() {
    var form = document.getElementById("compare-form");
    var company = document.getElementById("company").value;
    var yearText = document.getElementById("company-year").value.trim();
    if (!company) { throw new Error("company: choose a company to use its supplier footprints."); }
    var c = chosenCase();
    var body = { product: form.getAttribute("data-product"), company: company,
                 year: yearText === "" ? null : Number(yearText), parameters: c.parameters };
    if (c.variant) { body.variant = c.variant; }
    var fp = await api("/v1/footprints", { method: "POST", json: body });
    var unit = fp.declared_unit, total = fp.per_declared_unit.total;
    var summary = document.getElementById("company-summary");
    summary.hidden = false;
    summary.innerHTML = "";
    var head = document.createElement("p");
    head.textContent = "Case " + c.label + " for " + fp.company.name + ", " + fp.company.year + ": " + fmt(total) +
      " kg CO2e/" + unit + "; primary data " + fmt((fp.primary_data || {}).percent) + " % (" +
      ((fp.primary_data || {}).basis || "") + ").";
    head.id = "company-total";
    head.setAttribute("data-value", String(total));
    head.setAttribute("data-primary", String((fp.primary_data || {}).percent));
    summary.appendChild(head);
    var list = document.createElement("ul");
    (fp.supplier_footprints || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = s.input + ": " + pct(s.covered_share) + " of it on supplier figures (" +
        s.records.map(function (r) { return r.supplier + " " + fmt(r.kg_co2e_per_kg) + " kg CO2e/kg, " + r.verification; }).join("; ") +
        "), " + fmt(s.kg_co2e_per_declared_unit) + " kg CO2e/" + unit;
      list.appendChild(li);
    });
    (fp.warnings || []).forEach(function (w) {
      var li = document.createElement("li"); li.className = "note"; li.textContent = w; list.appendChild(li); });
    if (!(fp.supplier_footprints || []).length) {
      var none = document.createElement("li");
      none.textContent = "No stored supplier footprint applies to " + fp.company.id + " " + fp.company.year + ": every input is on averages.";
      list.appendChild(none);
    }
    summary.appendChild(list);
    var items = fp.contributions.slice().sort(function (a, b) {
      return Math.abs(b.kg_co2e_per_declared_unit) - Math.abs(a.kg_co2e_per_declared_unit); });
    var top = items.slice(0, 12), rest = items.slice(12), seen = {};
    var bars = top.map(function (x) {
      var name = shortName(x, seen);
      return { name: x.supplier_input ? "★ " + name : name, full: x.input + " → " + (x.activity || ""),
               value: x.kg_co2e_per_declared_unit, supplier: x.supplier_input || "" }; });
    rest.filter(function (x) { return x.supplier_input; }).forEach(function (x) {  // never hide a supplier's part
      bars.push({ name: "★ " + shortName(x, seen), full: x.input, value: x.kg_co2e_per_declared_unit, supplier: x.supplier_input }); });
    var others = rest.filter(function (x) { return !x.supplier_input; });
    if (others.length) {
      bars.push({ name: "other inputs (" + others.length + ")", full: "other inputs", supplier: "",
                  value: others.reduce(function (s, x) { return s + x.kg_co2e_per_declared_unit; }, 0) });
    }
    bars.reverse();
    var base = fp.product + "-" + fp.company.id + "-" + fp.company.year + "-" + c.label;
    plot("company-chart", [{
      type: "bar", orientation: "h", x: bars.map(function (b) { return b.value; }), y: bars.map(function (b) { return b.name; }),
      customdata: bars.map(function (b) { return b.full + (b.supplier ? "<br>supplier-specific: " + b.supplier : ""); }),
      marker: { color: bars.map(function (b) { return b.supplier ? "#f2a541" : "#1b6ca8"; }) },
      text: bars.map(function (b) { return fmt(b.value); }), textposition: "auto",
      hovertemplate: "%{customdata}<br>%{x:.4g} kg CO2e/" + unit + "<extra></extra>" }],
      { margin: { t: 20, r: 20, b: 50, l: 20 }, height: 120 + 28 * bars.length, yaxis: { automargin: true },
        xaxis: { title: { text: "kg CO2e/" + unit + ", " + fp.company.id + " " + fp.company.year + ", case " + c.label } },
        showlegend: false }, base + "-contributions");
    renderTable("company-table", [
      { key: "supplier_input", title: "supplier-specific", format: function (x) { return x ? "★ supplier: " + x : ""; } },
      { key: "input", title: "input" }, { key: "activity", title: "into activity" }, { key: "stage", title: "stage" },
      { key: "amount", title: "amount", num: true }, { key: "unit", title: "unit" },
      { key: "kg_co2e_per_declared_unit", title: "kg CO2e/" + unit, num: true },
      { key: "share", title: "share", num: true, format: pct }
    ], items.map(function (x) { return Object.assign({}, x, { share: x.kg_co2e_per_declared_unit / total }); }),
    { rowAttrs: function (r) { return r.supplier_input ? { "data-supplier": r.supplier_input } : {}; } })
      .setAttribute("data-filename", base + "-contributions");
  }

  // ------------------------------------------------------------------ sweep
  function setupSweep() {
    var form = document.getElementById("sweep-form");
    if (!form) { return; }
    var param = document.getElementById("sweep-parameter");
    function bounds() {
      var opt = param.selectedOptions[0];
      if (!opt) { return; }
      document.getElementById("sweep-from").value = opt.getAttribute("data-min");
      document.getElementById("sweep-to").value = opt.getAttribute("data-max");
    }
    param.addEventListener("change", bounds);
    bounds();
    form.addEventListener("submit", guard(async function () {
      var product = form.getAttribute("data-product");
      var name = param.value;
      var a = Number(document.getElementById("sweep-from").value);
      var b = Number(document.getElementById("sweep-to").value);
      var n = Math.max(2, Math.min(50, parseInt(document.getElementById("sweep-steps").value, 10) || 11));
      var values = [];
      for (var i = 0; i < n; i++) { values.push(Number((a + (b - a) * i / (n - 1)).toPrecision(12))); }
      var variants = Array.prototype.filter.call(form.querySelectorAll('input[name="sweep-case"]'), function (x) { return x.checked; })
        .map(function (x) { return x.value; });
      if (!variants.length) { throw new Error("Tick at least one case."); }
      var docs = [];
      for (var j = 0; j < variants.length; j++) {
        docs.push(await api("/v1/comparisons", { method: "POST", json: {
          product: product, cases: [{ label: variants[j], variant: variants[j] }],
          sweep: { parameter: name, values: values, case: variants[j] } } }));
      }
      var unit = docs[0].declared_unit;
      document.getElementById("sweep-results").hidden = false;
      var p = productOf(product).parameters.find(function (x) { return x.name === name; });
      plot("sweep-chart", docs.map(function (d, k) {
        return { type: "scatter", mode: "lines+markers", name: d.sweep.case,
                 line: { color: STAGE_COLORS[k % STAGE_COLORS.length] },
                 x: d.sweep.points.map(function (pt) { return pt.value; }),
                 y: d.sweep.points.map(function (pt) { return pt.per_declared_unit.total; }),
                 hovertemplate: name + " = %{x}<br>%{y:.4g} kg CO2e/" + unit + "<extra>" + d.sweep.case + "</extra>" };
      }), { xaxis: { title: { text: name + (p && p.unit ? " (" + p.unit + ")" : "") } },
            yaxis: { title: { text: "kg CO2e per " + unit }, rangemode: "tozero" } }, product + "-sweep-" + name);
      var note = document.getElementById("sweep-note");
      var setBy = variants.filter(function (v) { var vs = productOf(product).variants[v] || {}; return name in vs; });
      note.textContent = setBy.length === variants.length && variants.length > 1
        ? "Every chosen case is a variant that sets " + name + " itself, so sweeping it overrides what tells them apart: their lines coincide. Sweep another parameter to compare them."
        : "";
      var rows = values.map(function (v, k) {
        var row = { value: v };
        docs.forEach(function (d) { row[d.sweep.case] = d.sweep.points[k].per_declared_unit.total; });
        return row;
      });
      var table = renderTable("sweep-table", [{ key: "value", title: name, num: true }].concat(
        docs.map(function (d) { return { key: d.sweep.case, title: d.sweep.case + " (kg CO2e/" + unit + ")", num: true }; })), rows);
      table.setAttribute("data-filename", product + "-sweep-" + name);
    }));
  }

  // ------------------------------------------------------------------ orders
  var XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  var currentOrder = null;

  // An order document holds one page of lines (lines_page, 100 by default): read the
  // remaining pages (up to 1,000 lines each) so the table shows every line.
  async function wholeOrder(doc) {
    var lines = doc.lines.slice();
    var page = doc.lines_page;
    while (page && page.next_offset !== null && page.next_offset !== undefined && lines.length < doc.line_count) {
      var next = await api("/v1/orders/" + encodeURIComponent(doc.order_id) + "?offset=" + page.next_offset + "&limit=1000");
      lines = lines.concat(next.lines);
      page = next.lines_page;
    }
    var whole = Object.assign({}, doc);
    whole.lines = lines;
    return whole;
  }

  function renderOrder(doc) {
    currentOrder = doc.order_id;
    document.getElementById("order-title").textContent = doc.order_id;
    var t = document.getElementById("order-total");
    t.textContent = fmt(doc.total.total);
    t.setAttribute("data-value", String(doc.total.total));
    document.getElementById("order-lines").textContent = doc.line_count;
    document.getElementById("order-fossil").textContent = fmt(doc.total.fossil);
    document.getElementById("order-biogenic").textContent = fmt(doc.total.biogenic);
    document.getElementById("order-land-use").textContent = fmt(doc.total.land_use);
    document.getElementById("order-created").textContent = doc.created_at.replace("T", " ").slice(0, 19) + " UTC";
    document.getElementById("order-version").textContent = doc.database.version;
    var table = renderTable("order-table", [
      { key: "line_id", title: "line" }, { key: "product", title: "product" }, { key: "variant", title: "variant" },
      { key: "quantity", title: "quantity", num: true, format: function (v) { return String(v); } },
      { key: "unit", title: "unit" }, { key: "declared_unit", title: "declared unit" },
      { key: "per", title: "kg CO2e per declared unit", num: true },
      { key: "total", title: "kg CO2e", num: true },
      { key: "certificate", title: "certificate", html: function (row) {
          var b = document.createElement("button");
          b.type = "button"; b.className = "issue-certificate"; b.textContent = "Issue";
          b.setAttribute("data-line", row.line_id);
          return b; } }
    ], doc.lines.map(function (ln) {
      var fp = ln.footprint;
      return { line_id: ln.line_id, product: fp.product, variant: fp.variant, quantity: fp.quantity,
               unit: fp.quantity_unit, declared_unit: fp.declared_unit, per: fp.per_declared_unit.total,
               total: fp.total.total };
    }), { rowAttrs: function (r) { return { "data-line": r.line_id }; } });
    table.setAttribute("data-filename", doc.order_id + "-lines");
    document.getElementById("order-result").hidden = false;
  }

  async function download(fmtName) {
    var resp = await api("/v1/orders/" + encodeURIComponent(currentOrder) + "?format=" + fmtName, { raw: true });
    saveBlob(await resp.blob(), currentOrder + "." + fmtName);
  }

  var ordersCursor = null;
  async function loadOrders(more) {
    var url = "/v1/orders?limit=20" + (more && ordersCursor ? "&cursor=" + encodeURIComponent(ordersCursor) : "");
    var doc = await api(url);
    ordersCursor = doc.next_cursor;
    var table = document.getElementById("orders-list");
    var previous = more ? Array.prototype.map.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (tr) { return tr._row; }) : [];
    var rows = previous.concat(doc.orders.map(function (o) {
      return { order_id: o.order_id, created_at: o.created_at.replace("T", " ").slice(0, 19), line_count: o.line_count,
               total: o.total.total, version: o.database.version };
    }));
    renderTable("orders-list", [
      { key: "order_id", title: "order", html: function (row) {
          var a = document.createElement("a"); a.href = "#"; a.className = "open-order";
          a.setAttribute("data-order", row.order_id); a.textContent = row.order_id; return a; } },
      { key: "created_at", title: "stored (UTC)" }, { key: "line_count", title: "lines", num: true, format: String },
      { key: "total", title: "kg CO2e", num: true }, { key: "version", title: "database version" }
    ], rows, { rowAttrs: function (r) { return { "data-order": r.order_id }; } });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr, i) { tr._row = rows[i]; });
    document.getElementById("more-orders").hidden = !ordersCursor;
  }

  function setupOrders() {
    var form = document.getElementById("upload-form");
    if (!form) { return; }
    form.addEventListener("submit", guard(async function () {
      var file = document.getElementById("order-file").files[0];
      if (!file) { throw new Error("Choose a .csv or .xlsx file first."); }
      var isXlsx = /\.xlsx$/i.test(file.name);
      var orderId = document.getElementById("order-id").value.trim();
      var doc = await api("/v1/orders" + (orderId ? "?order_id=" + encodeURIComponent(orderId) : ""), {
        method: "POST", body: file, contentType: isXlsx ? XLSX : "text/csv" });
      renderOrder(await wholeOrder(doc));
      showMessage("Order " + doc.order_id + " scored and stored: " + fmt(doc.total.total) + " kg CO2e.", "ok");
      await loadOrders(false);
    }));
    document.getElementById("download-csv").addEventListener("click", guard(function () { return download("csv"); }));
    document.getElementById("download-xlsx").addEventListener("click", guard(function () { return download("xlsx"); }));
    document.getElementById("more-orders").addEventListener("click", guard(function () { return loadOrders(true); }));
    document.getElementById("orders-list").addEventListener("click", guard(async function (event) {
      var a = event.target.closest(".open-order");
      if (!a) { return; }
      renderOrder(await wholeOrder(await api("/v1/orders/" + encodeURIComponent(a.getAttribute("data-order")))));
    }));
    document.getElementById("order-table").addEventListener("click", guard(async function (event) {
      var b = event.target.closest(".issue-certificate");
      if (!b) { return; }
      var cert = await api("/v1/certificates", { method: "POST", json: { order_id: currentOrder, line_id: b.getAttribute("data-line") } });
      var link = document.createElement("a");
      link.href = "/app/certificates#" + cert.id;
      link.textContent = cert.number;
      b.replaceWith(link);
      showMessage("Certificate " + cert.number + " issued for line " + cert.line_id + ".", "ok");
    }));
    var start = guard(function () { return loadOrders(false); });
    if (apiKey()) { start(); }
    document.addEventListener("pcf:signed-in", start);
  }

  // ------------------------------------------------------------------ certificates
  var certCursor = null;
  async function loadCertificates(more) {
    var url = "/v1/certificates?limit=20" + (more && certCursor ? "&cursor=" + encodeURIComponent(certCursor) : "");
    var doc = await api(url);
    certCursor = doc.next_cursor || null;
    var table = document.getElementById("certificates-list");
    var previous = more ? Array.prototype.map.call(table.tBodies[0] ? table.tBodies[0].rows : [], function (tr) { return tr._row; }) : [];
    var rows = previous.concat(doc.certificates.map(function (c) {
      return { id: c.id, number: c.number, order_id: c.order_id, line_id: c.line_id, product: c.product,
               issued_at: (c.issued_at || "").slice(0, 10), valid_until: (c.valid_until || "").slice(0, 10),
               status: c.status, total: c.kg_co2e_total };
    }));
    renderTable("certificates-list", [
      { key: "number", title: "certificate", html: function (row) {
          var a = document.createElement("a"); a.href = "#" + row.id; a.className = "open-certificate";
          a.setAttribute("data-id", row.id); a.textContent = row.number; return a; } },
      { key: "order_id", title: "order" }, { key: "line_id", title: "line" }, { key: "product", title: "product" },
      { key: "issued_at", title: "issued" }, { key: "valid_until", title: "valid until" },
      { key: "status", title: "status" }, { key: "total", title: "kg CO2e", num: true }
    ], rows, { rowAttrs: function (r) { return { "data-id": r.id }; } });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (tr, i) { tr._row = rows[i]; });
    document.getElementById("more-certificates").hidden = !certCursor;
    return rows;
  }

  var currentCert = null;
  async function openCertificate(id) {
    var cert = await api("/v1/certificates/" + encodeURIComponent(id));
    currentCert = cert;
    document.getElementById("cert-number").textContent = cert.number;
    document.getElementById("cert-status").textContent = cert.status;
    document.getElementById("cert-line").textContent = cert.order_id + " / line " + cert.line_id;
    document.getElementById("cert-product").textContent = cert.product;
    var total = document.getElementById("cert-total");
    total.textContent = fmt(cert.kg_co2e_total) + " kg CO2e";
    total.setAttribute("data-value", String(cert.kg_co2e_total));
    document.getElementById("cert-dates").textContent = (cert.issued_at || "").slice(0, 10) + " / " + (cert.valid_until || "").slice(0, 10);
    document.getElementById("cert-sha").textContent = cert.sha256;
    document.getElementById("cert-verification").textContent = "checking…";
    document.getElementById("certificate-detail").hidden = false;
    var v = await api("/v1/certificates/" + encodeURIComponent(id) + "/verification");
    var verdict = document.getElementById("cert-verification");
    verdict.textContent = (v.valid ? "valid" : "NOT valid") + (v.valid_now ? ", in force" : ", not in force (" + v.status + ")");
    verdict.className = v.valid && v.valid_now ? "ok" : "bad";
    verdict.setAttribute("data-valid", String(v.valid));
    var checks = v.checks || {};
    renderTable("verification-table", [{ key: "check", title: "check" }, { key: "ok", title: "result" }, { key: "detail", title: "detail" }],
      Object.keys(checks).map(function (k) {
        var c = checks[k] || {};
        var ok = c.ok !== undefined ? (c.ok ? "ok" : "failed") : (c.status || "");
        var detail = c.message || c.status || (c.problems ? c.problems.join("; ") : "");
        if (k === "recomputation" && c.certified && c.recomputed) {
          var unitName = "kg CO2e per declared unit";
          detail = (c.message || c.status) + ": certified " + fmt(c.certified.kgCO2ePerDeclaredUnit.total) +
            ", recomputed " + fmt(c.recomputed.kgCO2ePerDeclaredUnit.total) + " " + unitName +
            " (database " + c.recomputed.databaseVersion + ")";
        }
        return { check: k, ok: ok, detail: detail };
      })).setAttribute("data-filename", cert.number + "-verification");
  }

  function setupCertificates() {
    if (page !== "certificates") { return; }
    document.getElementById("more-certificates").addEventListener("click", guard(function () { return loadCertificates(true); }));
    document.getElementById("certificates-list").addEventListener("click", guard(async function (event) {
      var a = event.target.closest(".open-certificate");
      if (!a) { return; }
      history.replaceState(null, "", "#" + a.getAttribute("data-id"));
      await openCertificate(a.getAttribute("data-id"));
    }));
    document.getElementById("cert-pdf").addEventListener("click", guard(async function () {
      var resp = await api("/v1/certificates/" + encodeURIComponent(currentCert.id) + ".pdf", { raw: true });
      var blob = await resp.blob();
      var link = document.getElementById("cert-pdf-link");
      link.href = URL.createObjectURL(blob);
      link.download = currentCert.number + ".pdf";
      link.textContent = currentCert.number + ".pdf (" + Math.round(blob.size / 1024) + " kB)";
      link.hidden = false;
      link.setAttribute("data-size", String(blob.size));
      window.open(link.href, "_blank");
    }));
    var start = guard(async function () {
      await loadCertificates(false);
      var id = location.hash.slice(1);
      if (id) { await openCertificate(id); }
    });
    if (apiKey()) { start(); }
    document.addEventListener("pcf:signed-in", start);
  }

  // ------------------------------------------------------------------ reductions
  function setupReductions() {
    var form = document.getElementById("pathway-form");
    if (!form) { return; }
    form.addEventListener("submit", guard(async function () {
      var parts = document.getElementById("pathway-company").value.split("|");
      var doc = await api("/v1/products/" + encodeURIComponent(parts[1]) + "/pathway?company=" + encodeURIComponent(parts[0]));
      var product = productOf(doc.product);
      var unit = product ? product.declared_unit : "declared unit";
      document.getElementById("pathway-results").hidden = false;
      document.getElementById("pathway-title").textContent = doc.company.name + " — " + doc.product + " (base year " + doc.base_year + ")";
      var stageNames = [];
      doc.years.forEach(function (y) { Object.keys(y.stages).forEach(function (s) { if (stageNames.indexOf(s) < 0) { stageNames.push(s); } }); });
      var traces = [];
      stageNames.forEach(function (stage, i) {
        var color = stage === "total" ? "#222" : STAGE_COLORS[i % STAGE_COLORS.length];
        var withValue = doc.years.filter(function (y) { return y.stages[stage] && y.stages[stage].value !== undefined; });
        if (withValue.length) {
          traces.push({ type: "scatter", mode: "lines+markers", name: stage + " (recomputed)",
                        line: { color: color, width: stage === "total" ? 3 : 2 },
                        x: withValue.map(function (y) { return y.year; }),
                        y: withValue.map(function (y) { return y.stages[stage].value; }) });
          var reported = withValue.filter(function (y) { return y.stages[stage].as_reported !== null && y.stages[stage].as_reported !== undefined; });
          if (reported.length) {
            traces.push({ type: "scatter", mode: "markers", name: stage + " (as reported)",
                          marker: { color: color, symbol: "diamond-open", size: 10 },
                          x: reported.map(function (y) { return y.year; }),
                          y: reported.map(function (y) { return y.stages[stage].as_reported; }) });
          }
        }
        // the target line: a pathway's own values, else a reduction target rebased on the recomputed base year
        var target = doc.years.map(function (y) {
          var s = y.stages[stage] || {};
          if (s.pathway_value !== undefined && s.pathway_value !== null) { return [y.year, s.pathway_value]; }
          var t = (s.targets || []).find(function (x) { return x.pathway_value_like_for_like !== undefined && x.pathway_value_like_for_like !== null; });
          return t ? [y.year, t.pathway_value_like_for_like] : null;
        }).filter(Boolean);
        if (target.length) {
          traces.push({ type: "scatter", mode: "lines+markers", name: stage + " (target)",
                        line: { color: color, dash: "dash" }, marker: { symbol: "x" },
                        x: target.map(function (t) { return t[0]; }), y: target.map(function (t) { return t[1]; }) });
        }
      });
      // the product's target line: the sum of the stage targets, in years where every stage has one
      var parts = stageNames.filter(function (s) { return s !== "total"; });
      var totalTarget = doc.years.map(function (y) {
        var sum = 0;
        for (var k = 0; k < parts.length; k++) {
          var st = y.stages[parts[k]] || {};
          var v = st.pathway_value;
          if (v === undefined || v === null) {
            var t = (st.targets || []).find(function (x) { return x.pathway_value_like_for_like !== undefined && x.pathway_value_like_for_like !== null; });
            v = t ? t.pathway_value_like_for_like : null;
          }
          if (v === null || v === undefined) { return null; }
          sum += v;
        }
        return parts.length > 1 ? [y.year, sum] : null;
      }).filter(Boolean);
      if (totalTarget.length) {
        traces.push({ type: "scatter", mode: "lines+markers", name: "total (target: sum of stage targets)",
                      line: { color: "#222", dash: "dash", width: 2 }, marker: { symbol: "x" },
                      x: totalTarget.map(function (t) { return t[0]; }), y: totalTarget.map(function (t) { return t[1]; }) });
      }
      plot("pathway-chart", traces, {
        xaxis: { title: { text: "year" }, dtick: 1 }, yaxis: { title: { text: "kg CO2e per " + unit }, rangemode: "tozero" },
        shapes: [{ type: "line", x0: doc.base_year, x1: doc.base_year, yref: "paper", y0: 0, y1: 1, line: { color: "#999", dash: "dot" } }],
        annotations: [{ x: doc.base_year, yref: "paper", y: 1, text: "base year " + doc.base_year, showarrow: false, yanchor: "bottom" }]
      }, doc.company.id + "-" + doc.product + "-pathway");
      var rows = [];
      doc.years.forEach(function (y) {
        Object.keys(y.stages).forEach(function (stage) {
          var s = y.stages[stage];
          var onTrack = (s.targets || []).map(function (t) { return t.on_track; }).filter(function (x) { return x !== null && x !== undefined; });
          rows.push({ year: y.year, status: y.status || "target only", stage: stage, value: s.value,
                      as_reported: s.as_reported, pathway_value: s.pathway_value, reduction: s.reduction,
                      on_track: onTrack.length ? (onTrack.every(Boolean) ? "yes" : "no") : "" });
        });
      });
      renderTable("pathway-table", [
        { key: "year", title: "year", format: String }, { key: "status", title: "status" }, { key: "stage", title: "stage" },
        { key: "value", title: "recomputed kg CO2e/" + unit, num: true }, { key: "as_reported", title: "as reported", num: true },
        { key: "pathway_value", title: "pathway value", num: true }, { key: "reduction", title: "reduction vs base", num: true, format: pct },
        { key: "on_track", title: "on track" }
      ], rows).setAttribute("data-filename", doc.company.id + "-" + doc.product + "-pathway");
    }));
  }

  // ------------------------------------------------------------------ home
  function setupHome() {
    if (page !== "home") { return; }
    var who = document.getElementById("whoami");
    function say() { who.textContent = apiKey() ? "You are signed in in this tab." : "Not signed in."; }
    say();
    document.addEventListener("pcf:signed-in", say);
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSignin();
    setupHome();
    setupCompare();
    setupSweep();
    setupOrders();
    setupCertificates();
    setupReductions();
    document.body.setAttribute("data-ready", "true");
  });
})();
