// Only what Vantage's widgets draw (see the package README, "Bundlers and ECharts").
import * as echarts from "echarts/core";
import { BarChart, GaugeChart, HeatmapChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { LegacyGridContainLabel } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  LineChart, BarChart, PieChart, ScatterChart, HeatmapChart, GaugeChart,
  GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, AriaComponent,
  LegacyGridContainLabel, CanvasRenderer,
]);

export { echarts };
