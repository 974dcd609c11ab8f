/* narrowgate report: the zh/en switch, charts drawn when they scroll into view, print. */
(function () {
  "use strict";

  var root = document.documentElement;

  // --- language switch: both texts are in the page; a class on <html> shows one ---
  function currentLang() {
    return root.classList.contains("lang-zh") ? "zh" : "en";
  }

  function setLang(lang) {
    root.classList.remove("lang-zh", "lang-en");
    root.classList.add("lang-" + lang);
    root.setAttribute("lang", lang === "zh" ? "zh-CN" : "en");
    var title = root.getAttribute("data-title-" + lang);
    if (title) { document.title = title; }
  }

  var button = document.getElementById("lang-switch");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      setLang(currentLang() === "zh" ? "en" : "zh");
    });
  }

  // --- charts: one embedded JSON spec per container, drawn on first sight ---
  // No network feature: plotly.js 4 shows a "Share chart" button (sendChartToCloud) by
  // default that uploads the chart to plotly's cloud; it is turned off and removed, and
  // the cloud address is blanked so nothing can reach it. Image download stays (local).
  var CONFIG = {
    displaylogo: false,
    responsive: true,
    typesetMath: false,
    showSendToCloud: false,
    plotlyServerURL: "",
    modeBarButtonsToRemove: ["sendChartToCloud", "sendDataToCloud", "editInChartStudio"]
  };

  function renderChart(el) {
    if (el.getAttribute("data-rendered")) { return; }
    el.setAttribute("data-rendered", "1");
    if (!window.Plotly) {
      el.classList.add("failed");
      el.textContent = "plotly.js did not load (assets/plotly.min.js missing?)";
      return;
    }
    var spec = JSON.parse(document.getElementById(el.getAttribute("data-spec")).textContent);
    window.Plotly.newPlot(el, spec.data, spec.layout, CONFIG);
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

  // --- print: every chart drawn, every fold open, then folds restored ---
  var reopened = [];
  window.addEventListener("beforeprint", function () {
    renderAll();
    reopened = Array.prototype.filter.call(document.querySelectorAll("details"), function (d) {
      return !d.open;
    });
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });

  window.narrowgateReport = { setLang: setLang, renderAllCharts: renderAll };
})();
