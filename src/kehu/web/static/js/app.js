/* kehu web: small progressive enhancements and the ECharts charts of each page.
   Pages work without JavaScript; charts read their data from <script type="application/json">. */
(function () {
  "use strict";

  var PALETTE = ["#4f46e5", "#06b6d4", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#0ea5e9",
    "#64748b", "#ec4899", "#84cc16", "#14b8a6"];
  var CODE_COLORS = {
    high_value: "#4f46e5", potential: "#10b981", "new": "#8b5cf6", churn_risk: "#f59e0b",
    low_value: "#94a3b8", strategic: "#4f46e5", core: "#06b6d4", basic: "#94a3b8",
    prospect: "#a78bfa", target: "#8b5cf6", first_purchase: "#34d399", repeat: "#06b6d4",
    loyal: "#4f46e5", at_risk: "#f59e0b", lost: "#ef4444", won_back: "#10b981", none: "#cbd5e1",
    A: "#4f46e5", B: "#06b6d4", C: "#94a3b8"
  };
  var FONT = getComputedStyle(document.body).fontFamily;
  var TEXT = "#475569";
  var GRID_LINE = "#eef1f6";

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function colorOf(code, i) { return CODE_COLORS[code] || PALETTE[i % PALETTE.length]; }

  function fmtMoney(v, lang) {
    if (v === null || v === undefined) { return "—"; }
    var a = Math.abs(v);
    if (lang === "zh") {
      if (a >= 1e8) { return "¥" + (v / 1e8).toFixed(2) + "亿"; }
      if (a >= 1e4) { return "¥" + (v / 1e4).toFixed(1) + "万"; }
    } else {
      if (a >= 1e6) { return "¥" + (v / 1e6).toFixed(2) + "M"; }
      if (a >= 1e3) { return "¥" + (v / 1e3).toFixed(1) + "k"; }
    }
    return "¥" + Math.round(v).toLocaleString();
  }

  function base() {
    return {
      textStyle: { fontFamily: FONT, color: TEXT },
      animationDuration: 500,
      tooltip: { confine: true, borderColor: "#e6eaf2", textStyle: { color: "#0f172a", fontSize: 12 },
        extraCssText: "box-shadow:0 8px 24px rgba(15,23,42,.12);border-radius:10px;" }
    };
  }

  function merge(a, b) { for (var k in b) { if (Object.prototype.hasOwnProperty.call(b, k)) { a[k] = b[k]; } } return a; }

  var builders = {
    donut: function (items) {
      var data = items.filter(function (d) { return d.count > 0; }).map(function (d, i) {
        return { name: d.label, value: d.count, itemStyle: { color: colorOf(d.code, i) } };
      });
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "item", formatter: "{b}<br/><b>{c}</b> ({d}%)" }),
        legend: { bottom: 0, icon: "circle", itemWidth: 8, itemHeight: 8, textStyle: { color: TEXT, fontSize: 12 } },
        title: { text: String(data.reduce(function (a, d) { return a + d.value; }, 0)),
          subtext: (readJSON("i18n-data") || {}).customers || "", left: "center", top: "34%",
          textStyle: { fontSize: 24, fontWeight: 700, color: "#0f172a", fontFamily: FONT },
          subtextStyle: { fontSize: 12, color: "#8491a7" }, itemGap: 2 },
        series: [{ type: "pie", radius: ["54%", "76%"], center: ["50%", "44%"], avoidLabelOverlap: true,
          itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 6 },
          label: { show: false }, labelLine: { show: false }, data: data }]
      });
    },
    bars: function (items) {
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis", axisPointer: { type: "shadow" } }),
        grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: items.map(function (d) { return d.label; }),
          axisLine: { lineStyle: { color: "#d5dbe7" } }, axisTick: { show: false }, axisLabel: { color: TEXT } },
        yAxis: { type: "value", splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { color: "#8491a7" } },
        series: [{ type: "bar", barWidth: "46%", label: { show: true, position: "top", color: TEXT, fontSize: 11 },
          data: items.map(function (d, i) {
            return { value: d.count, itemStyle: { color: colorOf(d.code, i), borderRadius: [6, 6, 0, 0] } };
          }) }]
      });
    },
    hbars: function (items) {
      var shown = items.filter(function (d) { return d.count > 0; });
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis", axisPointer: { type: "shadow" } }),
        grid: { left: 8, right: 36, top: 6, bottom: 6, containLabel: true },
        yAxis: { type: "category", inverse: true, data: shown.map(function (d) { return d.label; }),
          axisLine: { show: false }, axisTick: { show: false }, axisLabel: { color: TEXT } },
        xAxis: { type: "value", splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { show: false } },
        series: [{ type: "bar", barWidth: 14, label: { show: true, position: "right", color: TEXT, fontSize: 11 },
          data: shown.map(function (d, i) {
            return { value: d.count, itemStyle: { color: colorOf(d.code, i), borderRadius: 7 } };
          }) }]
      });
    },
    tier_revenue: function (items, all) {
      var lang = all.lang;
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "item", formatter: function (p) { return p.name + "<br/><b>" + fmtMoney(p.value, lang) + "</b> (" + p.percent + "%)"; } }),
        legend: { right: 8, top: "middle", orient: "vertical", icon: "circle", itemWidth: 8, textStyle: { color: TEXT } },
        series: [{ type: "pie", roseType: "radius", radius: ["18%", "82%"], center: ["38%", "50%"],
          itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 5 },
          label: { formatter: function (p) { return fmtMoney(p.value, lang); }, color: TEXT, fontSize: 11 },
          data: items.filter(function (d) { return d.spend_12m > 0; }).map(function (d, i) {
            return { name: d.label, value: d.spend_12m, itemStyle: { color: colorOf(d.code, i) } };
          }) }]
      });
    },
    pareto: function (p) {
      var i18n = readJSON("i18n-data") || {};
      function pts(curve) { return [[0, 0]].concat(curve.map(function (d) { return [d.pct * 100, d.share * 100]; })); }
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis", valueFormatter: function (v) { return v.toFixed(1) + "%"; } }),
        legend: { bottom: 0, icon: "roundRect", itemWidth: 12, itemHeight: 4, textStyle: { color: TEXT, fontSize: 12 } },
        grid: { left: 8, right: 14, top: 14, bottom: 34, containLabel: true },
        xAxis: { type: "value", min: 0, max: 100,
          axisLabel: { formatter: "{value}%", color: "#8491a7" }, splitLine: { show: false }, axisLine: { lineStyle: { color: "#d5dbe7" } } },
        yAxis: { type: "value", axisLabel: { formatter: "{value}%", color: "#8491a7" }, splitLine: { lineStyle: { color: GRID_LINE } } },
        series: [
          { name: i18n.revenue_share || "revenue", type: "line", smooth: true, showSymbol: false, data: pts(p.revenue || []),
            lineStyle: { width: 3, color: "#4f46e5" }, areaStyle: { color: "rgba(79,70,229,.10)" },
            markLine: { silent: true, symbol: "none", lineStyle: { color: "#cbd5e1", type: "dashed" }, label: { show: false },
              data: [{ xAxis: 20 }, { yAxis: 80 }] } },
          { name: i18n.profit_share || "profit", type: "line", smooth: true, showSymbol: false, data: pts(p.profit || []),
            lineStyle: { width: 2, color: "#10b981" } }
        ]
      });
    },
    sankey: function (f) {
      var names = {};
      var links = f.links.filter(function (l) { return l.customers > 0; }).map(function (l) {
        var s = l.from_label + " ·" + f["from"].slice(5), t = l.to_label + " ·" + f["to"].slice(5);
        names[s] = l["from"]; names[t] = l["to"];
        return { source: s, target: t, value: l.customers };
      });
      var nodes = Object.keys(names).map(function (n, i) { return { name: n, itemStyle: { color: colorOf(names[n], i) } }; });
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "item" }),
        series: [{ type: "sankey", left: 8, right: 140, top: 8, bottom: 8, nodeGap: 10, nodeWidth: 12,
          emphasis: { focus: "adjacency" }, data: nodes, links: links, draggable: false,
          lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
          label: { color: "#0f172a", fontSize: 11 } }]
      });
    },
    spend: function (rows, all) {
      var lang = all.lang;
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis", valueFormatter: function (v) { return fmtMoney(v, lang); } }),
        grid: { left: 8, right: 12, top: 14, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.month; }), axisTick: { show: false },
          axisLine: { lineStyle: { color: "#d5dbe7" } }, axisLabel: { color: "#8491a7" } },
        yAxis: { type: "value", splitLine: { lineStyle: { color: GRID_LINE } },
          axisLabel: { color: "#8491a7", formatter: function (v) { return fmtMoney(v, lang); } } },
        series: [{ type: "bar", barMaxWidth: 22, data: rows.map(function (r) { return r.amount; }),
          itemStyle: { color: "#6366f1", borderRadius: [5, 5, 0, 0] } }]
      });
    },
    history: function (rows) {
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis" }),
        legend: { bottom: 0, icon: "roundRect", itemWidth: 12, itemHeight: 4, textStyle: { color: TEXT } },
        grid: { left: 8, right: 12, top: 14, bottom: 30, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.as_of; }), axisTick: { show: false },
          axisLine: { lineStyle: { color: "#d5dbe7" } }, axisLabel: { color: "#8491a7" } },
        yAxis: [{ type: "value", max: 100, splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { color: "#8491a7" } }],
        series: [
          { name: (readJSON("i18n-data") || {}).value_score || "value", type: "line", smooth: true, symbolSize: 7,
            data: rows.map(function (r) { return r.value_score === null ? null : +r.value_score.toFixed(1); }),
            lineStyle: { width: 3, color: "#4f46e5" }, itemStyle: { color: "#4f46e5" } },
          { name: (readJSON("i18n-data") || {}).churn_risk || "churn", type: "line", smooth: true, symbolSize: 7,
            data: rows.map(function (r) { return r.churn_risk === null ? null : Math.round(r.churn_risk * 100); }),
            lineStyle: { width: 2, color: "#f59e0b" }, itemStyle: { color: "#f59e0b" } }
        ]
      });
    },
    radar: function (dims) {
      var i18n = readJSON("i18n-data") || {};
      var have = dims.filter(function (d) { return d.value !== null && d.value !== undefined; });
      if (!have.length) { return null; }
      return merge(base(), {
        radar: { radius: "66%", center: ["50%", "54%"], splitNumber: 4,
          indicator: dims.map(function (d) { return { name: i18n["dim_" + d.code] || d.code, max: 100 }; }),
          axisName: { color: TEXT, fontSize: 12 }, splitLine: { lineStyle: { color: "#e6eaf2" } },
          splitArea: { areaStyle: { color: ["#fff", "#fafbff"] } }, axisLine: { lineStyle: { color: "#e6eaf2" } } },
        series: [{ type: "radar", symbolSize: 5, data: [{ value: dims.map(function (d) { return d.value || 0; }),
          areaStyle: { color: "rgba(79,70,229,.18)" }, lineStyle: { color: "#4f46e5", width: 2 }, itemStyle: { color: "#4f46e5" } }] }]
      });
    },
    kpi_trend: function (rows, all) {
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis" }),
        grid: { left: 8, right: 12, top: 14, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.period; }), axisTick: { show: false },
          axisLine: { lineStyle: { color: "#d5dbe7" } }, axisLabel: { color: "#8491a7" } },
        yAxis: { type: "value", splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { color: "#8491a7" } },
        series: [{ type: "line", smooth: true, symbolSize: 6, data: rows.map(function (r) { return r.value; }),
          lineStyle: { width: 3, color: "#4f46e5" }, itemStyle: { color: "#4f46e5" }, areaStyle: { color: "rgba(79,70,229,.08)" } }]
      });
    },
    relationship: function (m) {
      // the customer in the middle; contacts around it: size = influence, colour = attitude,
      // line width = relationship strength (1-5)
      if (!m.contacts || !m.contacts.length) { return null; }
      var SIZE = { high: 46, medium: 34, low: 24 };
      var COLOR = { supporter: "#10b981", neutral: "#94a3b8", opponent: "#ef4444" };
      var n = m.contacts.length;
      var nodes = [{ name: m.center, x: 0, y: 0, symbolSize: 58, itemStyle: { color: "#4f46e5" },
        label: { show: true, position: "bottom", color: TEXT, fontWeight: 600 } }];
      var links = [];
      m.contacts.forEach(function (c, i) {
        var id = c.name + "\u200b" + i;
        var angle = Math.PI / 4 + 2 * Math.PI * i / n;  // never all on one line with the centre
        nodes.push({ name: id, value: c.role, symbolSize: SIZE[c.influence] || 20,
          x: Math.cos(angle) * 100, y: Math.sin(angle) * 70,
          itemStyle: { color: COLOR[c.attitude] || "#cbd5e1" },
          label: { show: true, position: "right", color: TEXT, formatter: c.name + "\n" + c.role },
          tooltip: { formatter: c.name + " · " + (c.title || "") + "<br>" + c.role + " · " +
            (c.attitude_label || "—") + " · " + c.last } });
        links.push({ source: m.center, target: id,
          lineStyle: { width: (c.relationship || 1) * 1.6, color: "#c7d2fe", curveness: 0.1 } });
      });
      return merge(base(), {
        tooltip: { trigger: "item" },
        series: [{ type: "graph", layout: "none", roam: false, data: nodes, links: links,
          left: "14%", right: "22%", top: 40, bottom: 40, emphasis: { focus: "adjacency" } }]
      });
    },
    goal: function (rows) {
      return merge(base(), {
        tooltip: merge(base().tooltip, { trigger: "axis" }),
        legend: { bottom: 0, icon: "roundRect", itemWidth: 12, itemHeight: 4, textStyle: { color: TEXT } },
        grid: { left: 8, right: 12, top: 14, bottom: 30, containLabel: true },
        xAxis: { type: "category", data: rows.map(function (r) { return r.period; }), axisTick: { show: false }, axisLabel: { color: "#8491a7" } },
        yAxis: { type: "value", splitLine: { lineStyle: { color: GRID_LINE } }, axisLabel: { color: "#8491a7" } },
        series: [
          { name: (readJSON("i18n-data") || {}).actual || "actual", type: "bar", barMaxWidth: 26,
            data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#6366f1", borderRadius: [5, 5, 0, 0] } },
          { name: (readJSON("i18n-data") || {}).expected || "expected", type: "line", smooth: true, showSymbol: false,
            data: rows.map(function (r) { return r.expected; }), lineStyle: { type: "dashed", color: "#94a3b8" } }
        ]
      });
    }
  };

  function drawCharts() {
    var data = readJSON("page-data");
    if (!data || typeof echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var kind = el.getAttribute("data-chart");
      var key = el.getAttribute("data-key");
      var value = key ? data[key] : data;
      if (!builders[kind] || value === undefined || value === null) { return; }
      var option = builders[kind](value, data);
      if (!option) { el.classList.add("hidden"); return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.setAttribute("data-ready", "1");
      charts.push(chart);
    });
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
    });
    document.body.setAttribute("data-charts", String(charts.length));
  }

  function wireNav() {
    var btn = document.getElementById("menu-btn");
    var scrim = document.getElementById("scrim");
    if (btn) { btn.addEventListener("click", function () { document.body.classList.toggle("nav-open"); }); }
    if (scrim) { scrim.addEventListener("click", function () { document.body.classList.remove("nav-open"); }); }
  }

  function wireTables() {
    document.querySelectorAll("tr[data-href]").forEach(function (tr) {
      tr.classList.add("click");
      tr.addEventListener("click", function (ev) {
        if (ev.target.closest("a,button,input,select,form")) { return; }
        window.location.href = tr.getAttribute("data-href");
      });
    });
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (ev) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
      });
    });
    document.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var target = document.getElementById(btn.getAttribute("data-copy"));
        if (target && navigator.clipboard) { navigator.clipboard.writeText(target.textContent.trim()); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    wireNav();
    wireTables();
    drawCharts();
  });
})();
