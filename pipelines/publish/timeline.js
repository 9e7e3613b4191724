/* The timeline page: draws the embedded events on a time axis, filters them, and shows
   an event's evidence and source when it is clicked. No network, no library. */
(function () {
  "use strict";

  var DATA = JSON.parse(document.getElementById("timeline-data").textContent);
  var DAY_MS = 86400000;
  var LANE = 44;
  var LIST_PAGE = 200;  // rows of the list drawn at a time; "more" draws the next page
  var BASIS_TEXT = {
    explicit: "文中明確給出日期",
    inherited: "由上文的日期推定",
    bounded: "文中沒有日期，只能按報道時間推定範圍"
  };
  var GRANULARITY_TEXT = { year: "年", half: "半年", quarter: "季", season: "季節", month: "月",
    tenday: "旬", week: "週", day: "日", time: "時刻" };

  function dayNumber(iso) { return Date.parse(iso + "T00:00:00Z") / DAY_MS; }

  var events = DATA.events.map(function (e) {
    var t0 = dayNumber(e.earliest);
    return Object.assign({}, e, { t0: t0, t1: dayNumber(e.latest || e.earliest) + 1 });
  });
  var byId = {};
  events.forEach(function (e) { byId[e.id] = e; });

  var state = {
    types: new Set(DATA.types.map(function (t) { return t.type; })),
    place: "",
    query: "",
    zoom: 1,
    selected: null,
    listLimit: LIST_PAGE
  };

  var $ = function (id) { return document.getElementById(id); };
  var chart = $("chart"), canvas = $("canvas"), axis = $("axis"), grid = $("grid"), lanes = $("lanes");
  var list = $("event-list"), details = $("details");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "class") node.className = attrs[k];
      else if (k === "style") node.style.cssText = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /* ---- filters ---- */

  function buildFilters() {
    var box = $("type-filters");
    DATA.types.forEach(function (t) {
      var label = el("label", { class: "type-filter", style: "--c:" + t.color });
      var input = el("input", { type: "checkbox", value: t.type, "data-type-filter": t.type });
      input.checked = true;
      input.addEventListener("change", function () {
        if (input.checked) state.types.add(t.type); else state.types.delete(t.type);
        render();
      });
      label.appendChild(input);
      label.appendChild(el("span", { class: "swatch" }));
      label.appendChild(el("span", null, t.label ? t.label + " " + t.type : t.type));
      label.appendChild(el("span", { class: "n" }, "(" + t.count + ")"));
      box.appendChild(label);
    });
    function setAll(on) {
      box.querySelectorAll("input").forEach(function (i) { i.checked = on; });
      state.types = on ? new Set(DATA.types.map(function (t) { return t.type; })) : new Set();
      render();
    }
    $("types-all").addEventListener("click", function () { setAll(true); });
    $("types-none").addEventListener("click", function () { setAll(false); });

    var select = $("place-filter");
    DATA.places.forEach(function (p) {
      select.appendChild(el("option", { value: p.place }, p.place + " (" + p.count + ")"));
    });
    select.addEventListener("change", function () { state.place = select.value; render(); });

    var search = $("search"), timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.query = search.value.trim(); render(); }, 120);
    });

    $("zoom-in").addEventListener("click", function () { setZoom(state.zoom * 1.6); });
    $("zoom-out").addEventListener("click", function () { setZoom(state.zoom / 1.6); });
    $("zoom-reset").addEventListener("click", function () { setZoom(1); });
  }

  function setZoom(z) {
    state.zoom = Math.min(64, Math.max(1, z));
    $("zoom-reset").textContent = (Math.round(state.zoom * 10) / 10) + "×";
    render();
  }

  function visible(e) {
    if (!state.types.has(e.type)) return false;
    if (state.place && e.place !== state.place) return false;
    if (state.query) {
      var q = state.query;
      var hay = [e.headline, e.evidence, e.place, e.label, e.type, e.display, (e.actors || []).join(" "),
        e.source_line].join("\n");
      if (hay.indexOf(q) < 0) return false;
    }
    return true;
  }

  /* ---- axis ---- */

  function ticksFor(d0, d1, width) {
    var start = new Date(d0 * DAY_MS), end = new Date(d1 * DAY_MS);
    var months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth() + 1;
    var pxPerMonth = width / Math.max(1, months);
    var step = null;
    [1, 2, 3, 6].some(function (s) { if (pxPerMonth * s >= 56) { step = s; return true; } return false; });
    var ticks = [];
    if (step) {
      var y = start.getUTCFullYear(), m = start.getUTCMonth();
      m = Math.floor(m / step) * step;
      for (;;) {
        var t = Date.UTC(y, m, 1) / DAY_MS;
        if (t > d1) break;
        if (t >= d0) ticks.push({ t: t, major: m === 0, text: m === 0 ? y + "年" : (m + 1) + "月" });
        m += step;
        if (m >= 12) { m -= 12; y += 1; }
      }
      if (!ticks.some(function (k) { return k.major; }) && ticks.length) {
        var first = new Date(ticks[0].t * DAY_MS);
        ticks[0].text = first.getUTCFullYear() + "年" + (first.getUTCMonth() + 1) + "月";
      }
      return ticks;
    }
    var years = months / 12, yearStep = 1;
    [1, 2, 5, 10, 20, 50, 100].some(function (s) { yearStep = s; return (width / years) * s >= 56; });
    var y0 = Math.ceil(start.getUTCFullYear() / yearStep) * yearStep;
    for (var yy = y0; Date.UTC(yy, 0, 1) / DAY_MS <= d1; yy += yearStep) {
      var tt = Date.UTC(yy, 0, 1) / DAY_MS;
      if (tt >= d0) ticks.push({ t: tt, major: true, text: yy + "年" });
    }
    return ticks;
  }

  /* ---- layout: greedy lanes so marks and labels never overlap ---- */

  var measureCtx = document.createElement("canvas").getContext("2d");

  function layout(shown, x, width) {
    measureCtx.font = "13px " + getComputedStyle(document.documentElement).fontFamily;
    var laneEnds = [];
    return shown.map(function (e) {
      var markLeft, markWidth;
      if (e.uncertain) {
        markLeft = x(e.t0);
        markWidth = Math.max(6, x(e.t1) - x(e.t0));
      } else {
        markWidth = 14;
        markLeft = (x(e.t0) + x(e.t1)) / 2 - 7;
      }
      var text = e.headline || e.label || e.type;
      var labelWidth = Math.ceil(measureCtx.measureText(text).width) + 10;
      var labelLeft = Math.min(markLeft, Math.max(0, width - labelWidth));
      var left = Math.min(markLeft, labelLeft);
      var right = Math.max(markLeft + markWidth, labelLeft + labelWidth);
      var lane = 0;
      while (lane < laneEnds.length && laneEnds[lane] > left - 8) lane++;
      laneEnds[lane] = right;
      return { e: e, lane: lane, left: left, right: right, markLeft: markLeft, markWidth: markWidth,
        labelLeft: labelLeft, text: text };
    });
  }

  function kindOf(e) {
    if (e.basis === "bounded" || e.basis === "inherited") return "inferred";
    return e.uncertain ? "range" : "day";
  }

  function render() {
    var shown = events.filter(visible);
    $("count").textContent = "顯示 " + shown.length + " / " + events.length + " 件事件";
    $("empty").hidden = shown.length > 0;
    lanes.textContent = "";
    axis.textContent = "";
    grid.textContent = "";
    list.textContent = "";
    if (!events.length) { canvas.style.width = "100%"; return; }

    var d0 = Math.min.apply(null, events.map(function (e) { return e.t0; }));
    var d1 = Math.max.apply(null, events.map(function (e) { return e.t1; }));
    var pad = Math.max(20, (d1 - d0) * 0.04);
    d0 -= pad; d1 += pad;
    var width = Math.max(320, (chart.clientWidth - 2) * state.zoom);
    canvas.style.width = width + "px";
    var x = function (t) { return (t - d0) / (d1 - d0) * width; };

    ticksFor(d0, d1, width).forEach(function (k) {
      if (x(k.t) > width - 40) return;  // a label cut by the edge reads as a wrong year
      axis.appendChild(el("div", { class: "tick" + (k.major ? " major" : ""), style: "left:" + x(k.t) + "px" }, k.text));
      grid.appendChild(el("div", { class: "gridline" + (k.major ? " major" : ""), style: "left:" + x(k.t) + "px" }));
    });

    var placed = layout(shown, x, width);
    var laneCount = 0;
    placed.forEach(function (p) {
      var e = p.e, kind = kindOf(e);
      laneCount = Math.max(laneCount, p.lane + 1);
      var node = el("button", {
        type: "button",
        class: "event event--" + kind + (state.selected === e.id ? " selected" : ""),
        role: "listitem",
        "data-event-id": e.id,
        "data-event-type": e.type,
        "data-granularity": e.granularity || "",
        "data-date-basis": e.basis || "",
        "data-uncertain": e.uncertain ? "true" : "false",
        "data-earliest": e.earliest,
        "data-latest": e.latest,
        title: e.display + " · " + (e.label || e.type) + (e.place ? " · " + e.place : ""),
        "aria-label": e.display + " " + p.text,
        style: "--c:" + e.color + ";left:" + p.left + "px;top:" + (p.lane * LANE) + "px;width:" + (p.right - p.left) + "px"
      });
      node.appendChild(el("span", { class: "mark", style: "left:" + (p.markLeft - p.left) + "px;width:" + p.markWidth + "px" }));
      node.appendChild(el("span", { class: "label", style: "left:" + (p.labelLeft - p.left) + "px" }, p.text));
      node.addEventListener("click", function () { select(e.id); });
      lanes.appendChild(node);
    });
    lanes.style.height = Math.max(1, laneCount) * LANE + "px";

    var listed = shown.slice(0, state.listLimit);
    listed.forEach(function (e) {
      var row = el("tr", { class: "event-row" + (state.selected === e.id ? " selected" : ""),
        "data-event-id": e.id, "data-event-type": e.type, style: "--c:" + e.color, tabindex: "0" });
      row.appendChild(el("td", null, e.display));
      var typeCell = el("td");
      typeCell.appendChild(el("span", { class: "badge" }, e.label || e.type));
      row.appendChild(typeCell);
      row.appendChild(el("td", null, e.headline));
      row.appendChild(el("td", null, e.place || ""));
      row.appendChild(el("td", null, String(e.num_sources || 1)));
      row.addEventListener("click", function () { select(e.id, true); });
      row.addEventListener("keydown", function (ev) { if (ev.key === "Enter") select(e.id, true); });
      list.appendChild(row);
    });
    var more = $("list-more");
    more.hidden = shown.length <= listed.length;
    more.textContent = "再顯示 " + Math.min(LIST_PAGE, shown.length - listed.length) + " 件（共 " + shown.length + " 件）";
  }

  /* ---- details ---- */

  /* The evidence with the words that date the event (time_text) and those that name it
     (the headline, a clause of the sentence) marked. */
  function evidenceNode(e) {
    var quote = el("blockquote", { class: "evidence" });
    var text = e.evidence || "", spans = [];
    [[e.time_text, "when"], [e.headline, "what"]].forEach(function (m) {
      var at = m[0] ? text.indexOf(m[0]) : -1;
      if (at >= 0) spans.push([at, at + m[0].length, m[1]]);
    });
    spans.sort(function (a, b) { return a[0] - b[0]; });
    var pos = 0;
    spans.forEach(function (s) {
      if (s[0] < pos) return;  // overlapping marks: the first one wins
      quote.appendChild(document.createTextNode(text.slice(pos, s[0])));
      quote.appendChild(el("mark", { class: s[2] }, text.slice(s[0], s[1])));
      pos = s[1];
    });
    quote.appendChild(document.createTextNode(text.slice(pos)));
    return quote;
  }

  function showDetails(e) {
    details.textContent = "";
    details.classList.add("open");
    var close = el("button", { type: "button", class: "details-close", "aria-label": "關閉 close" }, "×");
    close.addEventListener("click", function () { details.classList.remove("open"); });
    details.appendChild(close);
    details.style.setProperty("--c", e.color);
    details.setAttribute("data-event-id", e.id);
    details.appendChild(el("span", { class: "badge" }, (e.label ? e.label + " " : "") + e.type));
    details.appendChild(el("h2", null, e.headline));
    var dl = el("dl");
    function row(k, v) { if (v) { dl.appendChild(el("dt", null, k)); dl.appendChild(el("dd", null, v)); } }
    row("日期", e.display);
    row("範圍", e.earliest === e.latest ? e.earliest : e.earliest + " 至 " + e.latest);
    row("精度", (GRANULARITY_TEXT[e.granularity] || e.granularity || "") + "（" + (BASIS_TEXT[e.basis] || e.basis || "") + "）");
    row("時間詞", e.time_text);
    row("地點", e.place);
    row("參與者", (e.actors || []).join("、"));
    row("報道數", String(e.num_sources || 1));
    details.appendChild(dl);
    details.appendChild(el("div", { class: "evidence-title" }, "證據 evidence"));
    details.appendChild(evidenceNode(e));
    details.appendChild(el("p", { class: "source" }, e.source_line));
    details.appendChild(el("p", { class: "ids" }, "event " + e.id + " · doc " + (e.doc_ids || []).join(", ")));
  }

  function select(id, scroll) {
    var e = byId[id];
    if (!e) return;
    state.selected = id;
    document.querySelectorAll(".selected").forEach(function (n) { n.classList.remove("selected"); });
    document.querySelectorAll('[data-event-id="' + CSS.escape(id) + '"]').forEach(function (n) {
      if (n !== details) n.classList.add("selected");
    });
    showDetails(e);
    if (history.replaceState) history.replaceState(null, "", "#event=" + encodeURIComponent(id));
    if (scroll) {
      var mark = lanes.querySelector('[data-event-id="' + CSS.escape(id) + '"]');
      if (mark) mark.scrollIntoView({ block: "nearest", inline: "center" });
    }
  }

  buildFilters();
  $("list-more").addEventListener("click", function () { state.listLimit += LIST_PAGE; render(); });
  render();
  var fromHash = /^#event=(.+)$/.exec(location.hash);
  if (fromHash) select(decodeURIComponent(fromHash[1]), true);

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(render, 150);
  });
})();
