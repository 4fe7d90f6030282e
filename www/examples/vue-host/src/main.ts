// A Vue 3 host: <vantage-dashboard> in a template. The custom element reads ECharts from
// `globalThis.echarts`, so the trimmed build is installed there before the element starts.
import { createApp } from "vue";
import { defineElement } from "vantage-embed";
import { echarts } from "./echarts";
import App from "./App.vue";

(globalThis as unknown as { echarts: typeof echarts }).echarts = echarts;
defineElement();
createApp(App).mount("#app");
