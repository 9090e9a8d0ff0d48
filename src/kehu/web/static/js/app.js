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
  var LINES = ["#4f46e5", "#10b981", "#f59e0b", "#06b6d4", "#ef4444"];

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

  /* The server builds each chart's option (kehu.charts); this only gives it the page's look. */
  function styleAxis(axis, money) {
    if (!axis) { return; }
    [].concat(axis).forEach(function (a) {
      a.axisTick = { show: false };
      a.axisLine = { lineStyle: { color: "#d5dbe7" } };
      a.axisLabel = merge({ color: a.type === "category" ? TEXT : "#8491a7" }, a.axisLabel || {});
      if (a.type === "value") {
        a.splitLine = { lineStyle: { color: GRID_LINE } };
        if (money) { a.axisLabel.formatter = money; }
      }
    });
  }

  function colourItems(s) {
    var coded = false;
    s.data = (s.data || []).map(function (d, i) {
      if (!d || d.code === undefined) { return d; }
      coded = true;
      return merge(d, { itemStyle: { color: colorOf(d.code, i) } });
    });
    return coded;
  }

  function styleSeries(s, k, look, money) {
    var coded = colourItems(s);
    if (s.markLine) {
      s.markLine = merge(s.markLine, { silent: true, label: { show: false },
        lineStyle: { color: "#cbd5e1", type: "dashed" } });
    }
    if (s.type === "bar" && look.kind === "hbar") {
      merge(s, { barWidth: 14, label: { show: true, position: "right", color: TEXT, fontSize: 11 } });
      s.data.forEach(function (d) { if (d && d.itemStyle) { d.itemStyle.borderRadius = 7; } });
    } else if (s.type === "bar") {
      merge(s, { barMaxWidth: 26 });
      if (coded) {
        s.label = { show: true, position: "top", color: TEXT, fontSize: 11 };
        s.data.forEach(function (d) { if (d && d.itemStyle) { d.itemStyle.borderRadius = [6, 6, 0, 0]; } });
      } else if (!s.itemStyle) {
        s.itemStyle = { color: "#6366f1", borderRadius: [5, 5, 0, 0] };
      }
    } else if (s.type === "line") {
      var dashed = s.lineStyle && s.lineStyle.type === "dashed";
      var colour = LINES[k % LINES.length];
      merge(s, { smooth: true, symbolSize: 6 });
      if (!dashed) {
        s.lineStyle = { width: k === 0 ? 3 : 2, color: colour };
        s.itemStyle = { color: colour };
      } else {
        s.lineStyle.color = "#94a3b8";
        s.showSymbol = false;
      }
      if (s.data.length && Array.isArray(s.data[0])) { s.showSymbol = false; }
    } else if (s.type === "pie" && look.donut) {
      merge(s, { radius: ["54%", "76%"], center: ["50%", "44%"], avoidLabelOverlap: true,
        itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 6 },
        label: { show: false }, labelLine: { show: false } });
      s.data = s.data.filter(function (d) { return d.value > 0; });
    } else if (s.type === "pie") {
      merge(s, { roseType: "radius", radius: ["18%", "82%"], center: ["38%", "50%"],
        itemStyle: { borderColor: "#fff", borderWidth: 2, borderRadius: 5 },
        label: { color: TEXT, fontSize: 11, formatter: money ? function (p) { return money(p.value); } : "{b}" } });
    } else if (s.type === "sankey") {
      merge(s, { left: 8, right: 140, top: 8, bottom: 8, nodeGap: 10, nodeWidth: 12, draggable: false,
        lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 }, label: { color: "#0f172a", fontSize: 11 } });
    } else if (s.type === "radar") {
      s.symbolSize = 5;
      s.data.forEach(function (d) {
        merge(d, { areaStyle: { color: "rgba(79,70,229,.18)" }, lineStyle: { color: "#4f46e5", width: 2 },
          itemStyle: { color: "#4f46e5" } });
      });
    }
  }

  function themed(spec, lang) {
    var look = spec.look || {};
    var money = look.money ? function (v) { return fmtMoney(typeof v === "object" ? v.value : v, lang); } : null;
    var opt = merge(base(), spec.option);
    delete opt.title;
    delete opt.animation;
    opt.color = PALETTE;
    opt.tooltip = merge(base().tooltip, spec.option.tooltip || {});
    if (money && opt.tooltip.trigger === "axis") { opt.tooltip.valueFormatter = money; }
    if (look.kind === "xy" || look.kind === "hbar") {
      opt.tooltip.axisPointer = { type: "shadow" };
      opt.grid = { left: 8, right: look.kind === "hbar" ? 36 : 14, top: 14, bottom: opt.legend ? 34 : 8, containLabel: true };
      styleAxis(opt.xAxis, look.kind === "hbar" ? null : money);
      styleAxis(opt.yAxis, money);
      if (look.kind === "hbar") { opt.xAxis.axisLabel = { show: false }; opt.yAxis.axisLine = { show: false }; }
    }
    if (opt.legend) {
      opt.legend = look.kind === "pie" && !look.donut
        ? { right: 8, top: "middle", orient: "vertical", icon: "circle", itemWidth: 8, textStyle: { color: TEXT } }
        : { bottom: 0, icon: look.kind === "pie" ? "circle" : "roundRect", itemWidth: look.kind === "pie" ? 8 : 12,
            itemHeight: look.kind === "pie" ? 8 : 4, textStyle: { color: TEXT, fontSize: 12 } };
    }
    if (look.kind === "pie" && money) {
      opt.tooltip.formatter = function (p) { return p.name + "<br/><b>" + money(p.value) + "</b> (" + p.percent + "%)"; };
    } else if (look.kind === "pie") {
      opt.tooltip.formatter = "{b}<br/><b>{c}</b> ({d}%)";
    }
    if (opt.radar) {
      merge(opt.radar, { radius: "66%", center: ["50%", "54%"], splitNumber: 4,
        axisName: { color: TEXT, fontSize: 12 }, splitLine: { lineStyle: { color: "#e6eaf2" } },
        splitArea: { areaStyle: { color: ["#fff", "#fafbff"] } }, axisLine: { lineStyle: { color: "#e6eaf2" } } });
    }
    opt.series.forEach(function (s, k) { styleSeries(s, k, look, money); });
    if (look.donut) {
      opt.title = { text: String(opt.series[0].data.reduce(function (a, d) { return a + d.value; }, 0)),
        subtext: look.total || "", left: "center", top: "34%",
        textStyle: { fontSize: 24, fontWeight: 700, color: "#0f172a", fontFamily: FONT },
        subtextStyle: { fontSize: 12, color: "#8491a7" }, itemGap: 2 };
    }
    return opt;
  }

  function drawCharts() {
    var data = readJSON("page-data");
    if (!data || typeof echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var key = el.getAttribute("data-key");
      var value = data[key];
      if (value === undefined) { return; }
      if (value === null) { el.classList.add("hidden"); return; }
      var option = themed(value, data.lang);
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
