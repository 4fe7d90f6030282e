// The trimmed ECharts the app, the demo pages and the gallery load: `echarts/core` with exactly
// what Vantage's widgets draw (crates/widgets/src/charts), bundled by esbuild into one classic
// script that defines `globalThis.echarts`, as the dist build does (crates/widgets reads it there).
// `cargo xtask` builds it into /vendor/echarts/echarts-vantage.min.js (and a content-hashed copy
// in /app/ for the app). Add a chart kind or component here when a widget starts to use it: a
// production ECharts silently skips what was not registered, and www/e2e/echarts.test.mjs compares
// every gallery chart with the full build to catch it.
import * as echarts from "echarts/core";
import { BarChart, GaugeChart, HeatmapChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapContinuousComponent,
} from "echarts/components";
import { LegacyGridContainLabel } from "echarts/features";
import { CanvasRenderer, SVGRenderer } from "echarts/renderers";

echarts.use([
  // charts/line.rs + area.rs, bar.rs, pie.rs, scatter.rs (large mode included), heatmap.rs, gauge.rs
  LineChart,
  BarChart,
  PieChart,
  ScatterChart,
  HeatmapChart,
  GaugeChart,
  // charts/common.rs: the cartesian grid (value, category and time axes), the tooltip (with its
  // axis pointer), the legend (plain and scrolling), `aria`; heatmap.rs: a continuous visualMap.
  GridComponent,
  TooltipComponent,
  LegendComponent,
  AriaComponent,
  VisualMapContinuousComponent,
  // charts/common.rs lays the grid out with `containLabel: true`, which ECharts 6 keeps only as
  // this feature (without it the plot area and the axis ticks come out different).
  LegacyGridContainLabel,
  // Canvas draws every widget; SVG is the image export (EChartsHandle::to_svg, `ssr: true`).
  CanvasRenderer,
  SVGRenderer,
]);

globalThis.echarts = echarts;
