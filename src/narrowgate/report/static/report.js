/* narrowgate report: the zh/en switch (remembered), charts drawn when they scroll into
   view and re-drawn in the other language, print. */
(function () {
  "use strict";

  var root = document.documentElement;

  // --- language switch: both texts are in the page; a class on <html> shows one ---
  function currentLang() {
    return root.classList.contains("lang-zh") ? "zh" : "en";
  }

  // The choice is remembered across visits (localStorage; file:// pages may refuse it).
  var STORE_KEY = "narrowgate-report-lang";

  function remember(lang) {
    try { window.localStorage.setItem(STORE_KEY, lang); } catch (e) { /* not allowed */ }
  }

  function remembered() {
    try { return window.localStorage.getItem(STORE_KEY); } catch (e) { return null; }
  }

  function setLang(lang) {
    root.classList.remove("lang-zh", "lang-en");
    root.classList.add("lang-" + lang);
    root.setAttribute("lang", lang === "zh" ? "zh-CN" : "en");
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-label-" + lang + "]"),
      function (el) { el.setAttribute("aria-label", el.getAttribute("data-label-" + lang)); });
    redrawCharts();
  }

  var saved = remembered();
  if ((saved === "zh" || saved === "en") && saved !== currentLang()) { setLang(saved); }

  var button = document.getElementById("lang-switch");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var lang = currentLang() === "zh" ? "en" : "zh";
      remember(lang);
      setLang(lang);
    });
  }

  // --- charts: one embedded JSON spec per container, drawn on first sight ---
  // No network feature: plotly.js 4 shows a "Share chart" button (sendChartToCloud) by
  // default that uploads the chart to plotly's cloud; it is turned off and removed, and
  // the cloud address is blanked so nothing can reach it. Image download stays (local).
  // Plotly's own words (toolbar tips, month and day names) in Chinese: plotly.js ships
  // its locales separately, so the few strings the report's charts show are set here.
  if (window.Plotly && window.Plotly.register) {
    window.Plotly.register({
      moduleType: "locale",
      name: "zh-CN",
      dictionary: {
        "Autoscale": "自动缩放", "Box Select": "矩形选择", "Download plot as a png": "下载为 PNG",
        "Lasso Select": "套索选择", "Pan": "平移", "Reset axes": "重置坐标轴",
        "Toggle Spike Lines": "切换参考线", "Zoom": "缩放", "Zoom in": "放大",
        "Zoom out": "缩小", "Show closest data on hover": "悬停显示最近数据",
        "Compare data on hover": "悬停比较数据", "Double-click to zoom back out": "双击恢复",
        "Click to enter X axis title": "点击输入 X 轴标题",
        "Click to enter Y axis title": "点击输入 Y 轴标题", "trace": "序列"
      },
      format: {
        days: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        shortDays: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月",
                 "十月", "十一月", "十二月"],
        shortMonths: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月",
                      "11月", "12月"],
        date: "%Y-%m-%d",
        decimal: ".",
        thousands: ","
      }
    });
  }

  var CONFIG = {
    displaylogo: false,
    responsive: true,
    typesetMath: false,
    showSendToCloud: false,
    plotlyServerURL: "",
    modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud", "editInChartStudio"]
  };

  // A spec carries its texts per language (i18n: trace names, axis titles, line labels).
  function localize(spec, lang) {
    var words = spec.i18n && spec.i18n[lang];
    if (words) {
      spec.data.forEach(function (trace, n) { trace.name = words.names[n]; });
      Object.keys(words.axes).forEach(function (axis) {
        spec.layout[axis].title.text = words.axes[axis];
      });
      (spec.layout.annotations || []).forEach(function (note, n) { note.text = words.marks[n]; });
    }
    return spec;
  }

  function configFor(lang) {
    var config = {};
    Object.keys(CONFIG).forEach(function (key) { config[key] = CONFIG[key]; });
    config.locale = lang === "zh" ? "zh-CN" : "en";
    return config;
  }

  function draw(el, fresh) {
    var lang = currentLang();
    var spec = localize(
      JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent), lang);
    var plot = fresh ? window.Plotly.newPlot : window.Plotly.react;
    plot(el, spec.data, spec.layout, configFor(lang));
    el.setAttribute("data-rendered", lang);
  }

  function renderChart(el) {
    if (el.getAttribute("data-rendered")) { return; }
    if (!window.Plotly) {
      el.setAttribute("data-rendered", "failed");
      el.classList.add("failed");
      el.textContent = currentLang() === "zh"
        ? "plotly.js 未能加载（assets/plotly.min.js 缺失？）"
        : "plotly.js did not load (assets/plotly.min.js missing?)";
      return;
    }
    draw(el, true);
  }

  // Charts already drawn are re-drawn in the new language; the others wait to be seen.
  function redrawCharts() {
    if (!window.Plotly) { return; }
    var lang = currentLang();
    Array.prototype.forEach.call(document.querySelectorAll(".chart[data-rendered]"),
      function (el) {
        var done = el.getAttribute("data-rendered");
        if (done !== "failed" && done !== lang) { draw(el, false); }
      });
  }

  var charts = Array.prototype.slice.call(document.querySelectorAll(".chart[data-spec]"));

  function renderAll() { charts.forEach(renderChart); }

  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          observer.unobserve(entry.target);
          renderChart(entry.target);
        }
      });
    }, { rootMargin: "400px 0px" });
    charts.forEach(function (el) { observer.observe(el); });
  } else {
    renderAll();
  }

  // A chart in a closed fold is drawn when the fold opens (hidden, it has no size).
  Array.prototype.forEach.call(document.querySelectorAll("details"), function (fold) {
    fold.addEventListener("toggle", function () {
      if (!fold.open || !window.Plotly) { return; }
      Array.prototype.forEach.call(fold.querySelectorAll(".chart[data-spec]"), function (el) {
        if (el.getAttribute("data-rendered")) { window.Plotly.Plots.resize(el); }
        else { renderChart(el); }
      });
    });
  });

  // --- print: folds stay closed; the open charts are drawn at the page's size ---
  // An A4 page at 96 px per inch less the margins is about 700 px wide: charts side by
  // side get half of it. The sizes return to the screen's after printing.
  var PRINT = { full: { width: 700, height: 260 }, half: { width: 340, height: 210 } };
  var resized = [];

  function printable(el) {
    for (var node = el.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) { return false; }
    }
    return true;
  }

  window.addEventListener("beforeprint", function () {
    if (!window.Plotly) { return; }
    resized = charts.filter(printable);
    resized.forEach(function (el) {
      renderChart(el);
      if (el.getAttribute("data-rendered") === "failed") { return; }
      var open = el.closest(".charts-open");
      var size = open && open.children.length > 1 ? PRINT.half : PRINT.full;
      el.setAttribute("data-screen-height", el.layout.height);
      window.Plotly.relayout(el, { width: size.width, height: Math.min(size.height * 2,
        Math.max(size.height, el.layout.height * size.width / 700)) });
    });
  });
  window.addEventListener("afterprint", function () {
    resized.forEach(function (el) {
      var height = Number(el.getAttribute("data-screen-height"));
      if (height) { window.Plotly.relayout(el, { width: null, height: height, autosize: true }); }
    });
    resized = [];
  });

  window.narrowgateReport = { setLang: setLang, renderAllCharts: renderAll };
})();
