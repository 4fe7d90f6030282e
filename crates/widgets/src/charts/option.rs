//! [`Chart`]: the ECharts option our widgets build, from charming's components and series.
//!
//! charming's own `Chart` has a field for every ECharts component (3D grids and axes, polar,
//! radar, parallel, calendar, toolbox, …) and holds series in one enum of all 22 kinds, so
//! serialising any chart links the `Serialize` code of all of them into the wasm (issue 18
//! item 3: ≈ the whole of charming's share of the first module). This is the same option
//! with only what the widgets draw: the components below and six series kinds. It serialises
//! exactly as charming's (camelCase, empty parts left out, one axis as an object and several
//! as an array), so ECharts receives the same option; the components and series themselves are
//! still charming's types and builders.

use charming::component::{Aria, Axis, Grid, LegendConfig, Title, VisualMap};
use charming::element::Tooltip;
use charming::series::{Bar, Gauge, Heatmap, Line, Pie, Scatter};
use serde::{Serialize, Serializer};

/// An ECharts option: title, tooltip, legend, grid, axes, visual map, aria and series.
#[derive(Serialize, Default, Debug)]
#[serde(rename_all = "camelCase")]
pub struct Chart {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    title: Vec<Title>,
    #[serde(skip_serializing_if = "Option::is_none")]
    animation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tooltip: Option<Tooltip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    legend: Option<LegendConfig>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    grid: Vec<Grid>,
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "one_or_many")]
    x_axis: Vec<Axis>,
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "one_or_many")]
    y_axis: Vec<Axis>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    visual_map: Vec<VisualMap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aria: Option<Aria>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    series: Vec<Series>,
}

/// One axis as an object, several as an array (as charming writes them).
fn one_or_many<S: Serializer>(axes: &[Axis], serializer: S) -> Result<S::Ok, S::Error> {
    match axes {
        [one] => one.serialize(serializer),
        many => many.serialize(serializer),
    }
}

impl Chart {
    /// An empty option.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a title.
    pub fn title(mut self, title: impl Into<Title>) -> Self {
        self.title.push(title.into());
        self
    }

    /// Turns ECharts' animation on or off.
    pub fn animation(mut self, on: bool) -> Self {
        self.animation = Some(on);
        self
    }

    /// Sets the tooltip.
    pub fn tooltip(mut self, tooltip: impl Into<Tooltip>) -> Self {
        self.tooltip = Some(tooltip.into());
        self
    }

    /// Sets the legend.
    pub fn legend(mut self, legend: impl Into<LegendConfig>) -> Self {
        self.legend = Some(legend.into());
        self
    }

    /// Adds a grid.
    pub fn grid(mut self, grid: impl Into<Grid>) -> Self {
        self.grid.push(grid.into());
        self
    }

    /// Adds an x axis.
    pub fn x_axis(mut self, axis: impl Into<Axis>) -> Self {
        self.x_axis.push(axis.into());
        self
    }

    /// Adds a y axis.
    pub fn y_axis(mut self, axis: impl Into<Axis>) -> Self {
        self.y_axis.push(axis.into());
        self
    }

    /// Adds a visual map.
    pub fn visual_map(mut self, map: impl Into<VisualMap>) -> Self {
        self.visual_map.push(map.into());
        self
    }

    /// Sets the accessibility options.
    pub fn aria(mut self, aria: impl Into<Aria>) -> Self {
        self.aria = Some(aria.into());
        self
    }

    /// Adds a series.
    pub fn series(mut self, series: impl Into<Series>) -> Self {
        self.series.push(series.into());
        self
    }
}

/// Declares [`Series`] with one variant per kind, its `Serialize` (each kind as charming writes
/// it) and a `From` for each kind, from one list.
macro_rules! series_kinds {
    ($($kind:ident),*) => {
        /// The series kinds the widgets draw (boxed: charming's series are kilobytes each).
        #[derive(Debug)]
        pub enum Series {
            $($kind(Box<$kind>),)*
        }

        impl Serialize for Series {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Self::$kind(series) => series.serialize(serializer),)*
                }
            }
        }

        $(
            impl From<$kind> for Series {
                fn from(series: $kind) -> Self {
                    Self::$kind(Box::new(series))
                }
            }
        )*
    };
}

series_kinds!(Line, Bar, Scatter, Pie, Heatmap, Gauge);

#[cfg(test)]
mod tests {
    use super::*;
    use charming::component::Legend;
    use charming::element::{AxisType, Trigger};

    /// The same option built with charming's `Chart` and ours serialises to the same JSON.
    #[test]
    fn serialises_as_charmings_chart_does() {
        // One chain of builder calls, made on both types.
        macro_rules! option {
            ($chart:ty) => {
                <$chart>::new()
                    .title(Title::new().text("t"))
                    .animation(false)
                    .aria(Aria::new().enabled(true))
                    .tooltip(Tooltip::new().trigger(Trigger::Axis))
                    .legend(Legend::new().top(0))
                    .grid(Grid::new().left(16).contain_label(true))
                    .x_axis(Axis::new().type_(AxisType::Time))
                    .y_axis(Axis::new().type_(AxisType::Value))
                    .y_axis(Axis::new().type_(AxisType::Value))
                    .visual_map(VisualMap::new().min(0).max(1))
                    .series(Line::new().name("a").data(vec![1, 2]))
                    .series(Bar::new().name("b"))
                    .series(Pie::new())
                    .series(Scatter::new())
                    .series(Heatmap::new())
                    .series(Gauge::new())
            };
        }
        let ours = option!(Chart);
        let theirs = option!(charming::Chart);
        let ours = serde_json::to_value(&ours).unwrap();
        assert_eq!(ours, serde_json::to_value(&theirs).unwrap());
        assert!(ours["xAxis"].is_object(), "one axis is an object");
        assert!(ours["yAxis"].is_array(), "two are an array");
        assert_eq!(
            serde_json::to_string(&Chart::new()).unwrap(),
            "{}",
            "nothing set, nothing written"
        );
    }
}
