//! M4 decimation (Jugel et al., "M4: A Visualization-Oriented Time Series Data Aggregation",
//! VLDB 2014): a line drawn through the first, lowest, highest and last point of every pixel
//! column lights exactly the pixels the line through all points lights, so a series never
//! needs more than four points per column of the plot.
//!
//! [`m4`] picks those points from a series' [`Points`] — interleaved `[x0, y0, x1, y1, …]`
//! values (a streamed window's ring buffer) or separate x and y columns (a decoded result's,
//! read in place) — and returns their indices, in x order, so a chart keeps true points (tooltips and clicks report real values,
//! and an index maps back to the full series). A missing value (`NaN` x or y, ECharts' gap)
//! splits the line: each run between gaps keeps its own four points and one gap point stays
//! between runs, so the line breaks exactly where it did. Points left and right of the visible
//! range collapse to the series' first and last point, its lowest and highest point (so the
//! axis extents do not move) and one neighbour on each side of the range (so the line still
//! runs to the plot's edges). A chart works out a series' [`Shape`] (x order and the points
//! that set the axes' extents) once, lays its axes out from those few points, and then picks
//! with [`m4_shaped`]: one pass over the visible points, stopping at the first one right of them.
//!
//! ```
//! use vantage_widgets::charts::m4::{m4, PixelColumns, Points};
//! let walk: Vec<f64> = (0..10_000).flat_map(|i| [i as f64, (i % 7) as f64]).collect();
//! let columns = PixelColumns { start: 0.0, end: 9_999.0, left: 0.0, right: 99.0 };
//! let kept = m4(Points::interleaved(&walk), &columns);
//! assert!(kept.len() <= 4 * columns.count());
//! ```

use vantage_contract::columnar::ColumnStats;

/// Where the visible x range lands on screen: data x `start` is drawn at device pixel `left`
/// and `end` at `right` (`right < left` for an inverted axis), linearly in between.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelColumns {
    pub start: f64,
    pub end: f64,
    pub left: f64,
    pub right: f64,
}

impl PixelColumns {
    /// Pixel columns the visible range spans.
    pub fn count(&self) -> usize {
        (self.right.floor() - self.left.floor()).abs() as usize + 1
    }

    /// Whether the mapping can place points (finite, non-empty range).
    pub fn is_usable(&self) -> bool {
        [self.start, self.end, self.left, self.right]
            .iter()
            .all(|v| v.is_finite())
            && self.end > self.start
    }

    #[cfg(test)]
    fn column(&self, x: f64) -> i64 {
        self.mapping().column(x)
    }

    /// The mapping with its scale worked out once (a multiplication per point, not a division).
    fn mapping(&self) -> Mapping {
        Mapping {
            start: self.start,
            left: self.left,
            scale: (self.right - self.left) / (self.end - self.start),
        }
    }
}

/// [`PixelColumns`] as `left + (x - start) × scale`.
#[derive(Clone, Copy)]
struct Mapping {
    start: f64,
    left: f64,
    scale: f64,
}

impl Mapping {
    fn column(&self, x: f64) -> i64 {
        (self.left + (x - self.start) * self.scale).floor() as i64
    }

    /// An x below which every point is in `column` or a column left of it: a little under
    /// where column `column + 1` starts, so a point at or above it may still be in `column`
    /// (then [`Self::column`] says so) but a point below it never is in a later one. Lets a
    /// walk over ascending x skip the exact mapping for all but a column's first points.
    /// `NEG_INFINITY` (no shortcut) for an inverted axis.
    fn next_edge(&self, column: i64) -> f64 {
        if self.scale <= 0.0 {
            return f64::NEG_INFINITY;
        }
        let pixels = (column + 1) as f64 - self.left;
        let edge = self.start + pixels / self.scale;
        // Lowered past the rounding of this sum and of [`Self::column`]'s (a few ulps of the
        // magnitudes involved, in x units), not by a fraction of `edge`: x can be large and
        // finely spaced (epoch milliseconds 1 ms apart), where a relative slack spans whole
        // columns and sends every point down the exact path.
        let magnitude =
            edge.abs() + self.start.abs() + (pixels.abs() + self.left.abs()) / self.scale;
        edge - magnitude * 1e-14
    }
}

/// A series' points: interleaved `[x0, y0, x1, y1, …]` values (in one slice or in the two parts
/// of a ring buffer), or separate x and y columns of equal length (a decoded result's columns,
/// read in place).
#[derive(Debug, Clone, Copy)]
pub struct Points<'a>(Layout<'a>);

#[derive(Debug, Clone, Copy)]
enum Layout<'a> {
    Interleaved { front: &'a [f64], back: &'a [f64] },
    Columns { xs: &'a [f64], ys: &'a [f64] },
}

impl<'a> Points<'a> {
    /// Interleaved values in one slice.
    pub fn interleaved(values: &'a [f64]) -> Self {
        Self::split(values, &[])
    }

    /// Interleaved values in two parts, `front` first (`VecDeque::as_slices`).
    pub fn split(front: &'a [f64], back: &'a [f64]) -> Self {
        Self(Layout::Interleaved { front, back })
    }

    /// Point `i` is `(xs[i], ys[i])`; the longer column's extra values are ignored.
    pub fn columns(xs: &'a [f64], ys: &'a [f64]) -> Self {
        let n = xs.len().min(ys.len());
        Self(Layout::Columns {
            xs: &xs[..n],
            ys: &ys[..n],
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        match self.0 {
            Layout::Interleaved { front, back } => (front.len() + back.len()) / 2,
            Layout::Columns { xs, .. } => xs.len(),
        }
    }

    /// Whether there are no points.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn value(front: &[f64], back: &[f64], i: usize) -> f64 {
        match front.get(i) {
            Some(v) => *v,
            None => back[i - front.len()],
        }
    }

    /// The x of point `i`.
    pub fn x(&self, i: usize) -> f64 {
        match self.0 {
            Layout::Interleaved { front, back } => Self::value(front, back, 2 * i),
            Layout::Columns { xs, .. } => xs[i],
        }
    }

    /// The y of point `i`.
    pub fn y(&self, i: usize) -> f64 {
        match self.0 {
            Layout::Interleaved { front, back } => Self::value(front, back, 2 * i + 1),
            Layout::Columns { ys, .. } => ys[i],
        }
    }

    /// Every point in order, as `(x, y)`, through `visit` until it returns `false`
    /// (one loop per layout, so the common cases — two columns, or one slice with whole points
    /// — run without per-value branches).
    fn for_each(&self, mut visit: impl FnMut(usize, f64, f64) -> bool) {
        match self.0 {
            Layout::Columns { xs, ys } => {
                for (i, (x, y)) in xs.iter().zip(ys).enumerate() {
                    if !visit(i, *x, *y) {
                        return;
                    }
                }
            }
            Layout::Interleaved { front, back } if front.len() % 2 == 0 => {
                for (i, (x, y)) in pairs(front).chain(pairs(back)).enumerate() {
                    if !visit(i, x, y) {
                        return;
                    }
                }
            }
            Layout::Interleaved { .. } => {
                // A ring buffer split between a point's x and its y (its halves are filled and
                // drained in whole points, so in practice never): walked as one copy, which
                // keeps a third loop out of every caller.
                Points::interleaved(&self.to_interleaved()).for_each(visit);
            }
        }
    }

    /// The indices of the first and last point whose x is not missing.
    fn present_x(&self) -> Option<(usize, usize)> {
        let n = self.len();
        let first = (0..n).find(|&i| !self.x(i).is_nan())?;
        let last = (0..n).rev().find(|&i| !self.x(i).is_nan())?;
        Some((first, last))
    }

    /// First and last x that is not missing (the x range of a monotone series).
    pub fn x_extent(&self) -> Option<(f64, f64)> {
        let (first, last) = self.present_x()?;
        Some((self.x(first), self.x(last)))
    }

    /// A copy as interleaved values (what ECharts reads from one `Float64Array`).
    pub fn to_interleaved(&self) -> Vec<f64> {
        match self.0 {
            Layout::Interleaved { front, back } => [front, back].concat(),
            Layout::Columns { xs, ys } => {
                let mut flat = Vec::with_capacity(2 * xs.len());
                for (x, y) in xs.iter().zip(ys) {
                    flat.push(*x);
                    flat.push(*y);
                }
                flat
            }
        }
    }
}

/// What one pass over a series learns: whether its x values never decrease (missing values
/// aside; M4 keeps a line's picture only when the line runs left to right) and which points
/// set its axes' extents. A chart works it out once per series and reuses it for every pick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shape {
    points: usize,
    monotone: bool,
    /// No x and no y is missing (known from decoded columns' stats, see [`Self::from_stats`],
    /// or from a streamed window's counts, [`Self::dense_ascending`]): [`m4_shaped`] looks
    /// each pixel column's points up rather than walking them.
    dense: bool,
    first_x: Option<usize>,
    last_x: Option<usize>,
    low: Option<usize>,
    high: Option<usize>,
}

impl Shape {
    /// One walk over `values`: a tight loop over the x values and one over the y values when
    /// every point has an x, either layout.
    pub fn of(values: Points<'_>) -> Self {
        let n = values.len();
        let present = values.present_x();
        let (first_x, last_x) = (present.map(|p| p.0), present.map(|p| p.1));
        let mut quick = QuickShape::new();
        let complete = match values.0 {
            Layout::Columns { xs, ys } => {
                let complete = quick.xs(xs.iter().copied());
                quick.ys(0, ys.iter().copied());
                complete
            }
            Layout::Interleaved { front, back } if front.len() % 2 == 0 => {
                let complete =
                    quick.xs(pairs(front).map(|(x, _)| x)) && quick.xs(pairs(back).map(|(x, _)| x));
                quick.ys(0, pairs(front).map(|(_, y)| y));
                quick.ys(front.len() / 2, pairs(back).map(|(_, y)| y));
                complete
            }
            Layout::Interleaved { .. } => false,
        };
        if complete {
            return Self {
                points: n,
                monotone: quick.monotone,
                // Whether a y is missing is not worked out here (one more comparison per
                // point, ≈ 15% of this walk): the dense pick is for decoded columns' stats.
                dense: false,
                first_x,
                last_x,
                low: quick.low,
                high: quick.high,
            };
        }
        // An x is missing: a point's y only counts with its x.
        let mut last = f64::NEG_INFINITY;
        let mut monotone = true;
        let mut extremes = Run::default();
        values.for_each(|i, x, y| {
            // A missing x (NaN) compares false both ways: it neither orders nor places a point.
            if x < last {
                monotone = false;
            } else if x >= last {
                last = x;
            }
            if !x.is_nan() && !y.is_nan() {
                extremes.add(i, y);
            }
            true
        });
        Self {
            points: n,
            monotone,
            dense: false,
            first_x,
            last_x,
            low: extremes.low(),
            high: extremes.high(),
        }
    }

    /// The shape of `points` points whose x and y columns (each exactly `points` values) have
    /// the stats `xs` and `ys`, as the columnar decoder works them out: no pass over the
    /// points. `None` when an x is missing (a point's y then only counts with its x: use
    /// [`Self::of`]).
    pub fn from_stats(points: usize, xs: &ColumnStats, ys: &ColumnStats) -> Option<Self> {
        if !xs.complete {
            return None;
        }
        Some(Self {
            points,
            monotone: xs.ascending,
            dense: ys.complete,
            first_x: points.checked_sub(1).map(|_| 0),
            last_x: points.checked_sub(1),
            low: ys.low,
            high: ys.high,
        })
    }

    /// The lowest and highest y of `values` (the points this shape was worked out for), as
    /// a value axis reads its data extent; `None` when no point has a y.
    pub fn y_extent(&self, values: Points<'_>) -> Option<(f64, f64)> {
        Some((values.y(self.low?), values.y(self.high?)))
    }

    /// The shape of `points` points with no x and no y missing and x never decreasing, known
    /// without a pass over them (a streamed window counts both as points come and go), for a
    /// pick whose columns span every point: its lowest and highest point are not worked out
    /// (`None`), which only matters outside the visible range — inside it M4 keeps them in
    /// their columns anyway. Not for [`Self::extent`].
    pub fn dense_ascending(points: usize) -> Self {
        Self {
            points,
            monotone: true,
            dense: true,
            first_x: points.checked_sub(1).map(|_| 0),
            last_x: points.checked_sub(1),
            low: None,
            high: None,
        }
    }

    /// Whether the points' x values never decrease (missing values aside).
    pub fn is_monotone(&self) -> bool {
        self.monotone
    }

    /// The points that give a series its axis extents: the first and last point, the first
    /// and last point with an x, and the lowest and highest point, ascending. Drawn alone they
    /// lay out a chart's axes exactly as the whole series does, so a chart's first layout
    /// (before its plot's pixel columns are known) needs no [`m4`] pick.
    pub fn extent(&self) -> Vec<u32> {
        let mut kept: Vec<u32> = [
            (self.points > 0).then_some(0),
            self.first_x,
            self.low,
            self.high,
            self.last_x,
            self.points.checked_sub(1),
        ]
        .into_iter()
        .flatten()
        .map(|i| i as u32)
        .collect();
        kept.sort_unstable();
        kept.dedup();
        kept
    }
}

/// What [`Shape::of`] learns in tight loops when every point has an x: whether x never
/// decreases, and the lowest and highest point (strict comparisons: the earliest of equal
/// extremes, as `Run` keeps; a missing y compares false). The columnar decoder's
/// `StatsBuilder` works out the same per column; it is not reused here because feeding both
/// columns' builders per point made a streaming chart's shape ≈ 3× slower in the shipped wasm
/// (one loop per column keeps each loop to the two or three comparisons it needs).
struct QuickShape {
    last: f64,
    monotone: bool,
    low: Option<usize>,
    high: Option<usize>,
    low_y: f64,
    high_y: f64,
}

impl QuickShape {
    fn new() -> Self {
        Self {
            last: f64::NEG_INFINITY,
            monotone: true,
            low: None,
            high: None,
            low_y: f64::INFINITY,
            high_y: f64::NEG_INFINITY,
        }
    }

    /// Takes x values in order; `false` at the first missing one (then a point's y only counts
    /// with its x, and [`Shape::of`] walks the points instead).
    fn xs(&mut self, xs: impl Iterator<Item = f64>) -> bool {
        let (mut last, mut monotone) = (self.last, self.monotone);
        for x in xs {
            if x < last {
                monotone = false;
            } else if x >= last {
                last = x;
            } else {
                return false;
            }
        }
        (self.last, self.monotone) = (last, monotone);
        true
    }

    /// Takes y values in order, the first being point `offset`.
    fn ys(&mut self, offset: usize, ys: impl Iterator<Item = f64>) {
        let (mut low, mut high) = (self.low, self.high);
        let (mut low_y, mut high_y) = (self.low_y, self.high_y);
        for (i, y) in ys.enumerate() {
            if y < low_y {
                (low, low_y) = (Some(offset + i), y);
            }
            if y > high_y {
                (high, high_y) = (Some(offset + i), y);
            }
        }
        (self.low, self.high, self.low_y, self.high_y) = (low, high, low_y, high_y);
    }
}

/// The indices of the points M4 keeps out of `values` for `columns`, ascending. Non-monotone x
/// (see [`Shape::is_monotone`]) or an unusable mapping keep every point. Without gaps the
/// result has at most 4 points per column plus up to six outside the visible range; each gap
/// inside it adds at most five (the gap and a run's four points).
pub fn m4(values: Points<'_>, columns: &PixelColumns) -> Vec<u32> {
    m4_shaped(values, &Shape::of(values), columns)
}

/// [`m4`] with the series' [`Shape`] already known (`shape` must be `Shape::of(values)`): one
/// pass over the visible points only.
pub fn m4_shaped(values: Points<'_>, shape: &Shape, columns: &PixelColumns) -> Vec<u32> {
    let points = values.len();
    if !columns.is_usable() || !shape.monotone {
        return (0..points as u32).collect();
    }
    let mut walk = Walk {
        columns: *columns,
        mapping: columns.mapping(),
        out: Picker::default(),
        run: Run::default(),
        column: i64::MIN,
        edge: f64::NEG_INFINITY,
        started: false,
        before: None,
        after: None,
        gap_pending: None,
    };
    match values.0 {
        Layout::Columns { xs, ys } if shape.dense => {
            walk.dense(0, Dense::Columns { xs, ys });
        }
        Layout::Columns { xs, ys } => {
            walk.segment(0, xs.iter().copied().zip(ys.iter().copied()));
        }
        Layout::Interleaved { front, back } if front.len() % 2 == 0 && shape.dense => {
            if walk.dense(0, Dense::Interleaved(front)) {
                walk.dense(front.len() / 2, Dense::Interleaved(back));
            }
        }
        Layout::Interleaved { front, back } if front.len() % 2 == 0 => {
            if walk.segment(0, pairs(front)) {
                walk.segment(front.len() / 2, pairs(back));
            }
        }
        Layout::Interleaved { .. } => values.for_each(|i, x, y| walk.visit(i, x, y)),
    }
    let Walk {
        mut out,
        mut run,
        before,
        after,
        mut gap_pending,
        ..
    } = walk;
    run.flush(&mut out);
    if after.is_some() {
        if let Some(gap) = gap_pending.take() {
            out.push(gap);
        }
    }
    let mut kept = out.0;
    let outside = [
        (points > 0).then_some(0),
        before,
        after,
        shape.low,
        shape.high,
        points.checked_sub(1),
    ];
    for i in outside.into_iter().flatten() {
        if let Err(at) = kept.binary_search(&(i as u32)) {
            kept.insert(at, i as u32);
        }
    }
    kept
}

/// [`m4_shaped`]'s walk over the points in x order.
struct Walk {
    columns: PixelColumns,
    mapping: Mapping,
    out: Picker,
    /// The current pixel column's points so far.
    run: Run,
    column: i64,
    /// Points below `edge` stay in `column` (x never decreases), so most skip the mapping.
    edge: f64,
    /// Whether a point in the visible range was reached.
    started: bool,
    before: Option<usize>,
    after: Option<usize>,
    gap_pending: Option<usize>,
}

impl Walk {
    /// Takes point `i`; `false` once the walk is past the visible range.
    fn visit(&mut self, i: usize, x: f64, y: f64) -> bool {
        let missing = x.is_nan() || y.is_nan();
        if !self.started {
            if missing || x < self.columns.start {
                // Still left of the visible range: remember the neighbour (a gap counts).
                self.before = Some(i);
                return true;
            }
            self.started = true;
        }
        if !missing && x > self.columns.end {
            // The first point right of the range; x never decreases, so nothing after it is
            // visible.
            self.after = Some(i);
            return false;
        }
        if missing {
            self.run.flush(&mut self.out);
            self.gap_pending.get_or_insert(i);
            return true;
        }
        if x >= self.edge {
            let here = self.mapping.column(x);
            if here != self.column {
                self.run.flush(&mut self.out);
                self.column = here;
                self.edge = self.mapping.next_edge(here);
            }
        }
        if let Some(gap) = self.gap_pending.take() {
            self.run.flush(&mut self.out);
            if !self.out.is_empty() {
                self.out.push(gap);
            }
        }
        self.run.add(i, y);
        true
    }

    /// The walk over `points` (numbered from `offset` in the series): [`Self::visit`], except
    /// that a point inside the current pixel column (present, visible, left of its edge — most
    /// of a dense series) only joins its run.
    /// `false` once the walk is past the visible range.
    fn segment(&mut self, offset: usize, points: impl Iterator<Item = (f64, f64)>) -> bool {
        // Below `limit`, a present point is in the current column; NEG_INFINITY (nothing is
        // below it) until the walk is in the visible range, and while a gap waits.
        let mut limit = f64::NEG_INFINITY;
        let mut points = points.enumerate();
        loop {
            // The run in a local while only it changes, so it stays in registers.
            let mut run = self.run;
            let mut other = None;
            for (i, (x, y)) in &mut points {
                // A missing x compares false.
                if x < limit && !y.is_nan() {
                    run.add(offset + i, y);
                } else {
                    other = Some((i, x, y));
                    break;
                }
            }
            self.run = run;
            let Some((i, x, y)) = other else {
                return true;
            };
            if !self.visit(offset + i, x, y) {
                return false;
            }
            limit = if self.started && self.gap_pending.is_none() {
                self.edge.min(self.columns.end)
            } else {
                f64::NEG_INFINITY
            };
        }
    }
}

impl Walk {
    /// The walk over `points` (numbered from `offset`), none missing and x ascending: as
    /// [`Self::segment`], but a column's points are found by searching x for the column's
    /// edge and only their y values are read, in one tight loop (x left of the visible range
    /// is skipped the same way). A 1M-point pick in the shipped wasm: 2.2 → 1.6 ms (columns),
    /// 2.5 → 1.9 ms (interleaved).
    /// `false` once the walk is past the visible range.
    fn dense(&mut self, offset: usize, points: Dense<'_>) -> bool {
        let n = points.len();
        let mut i = 0;
        while i < n {
            if !self.started {
                let first = points.first_not_below(i, self.columns.start);
                if first > i {
                    self.before = Some(offset + first - 1);
                    i = first;
                    if i == n {
                        return true;
                    }
                }
            }
            let (x, y) = points.point(i);
            if !self.visit(offset + i, x, y) {
                return false;
            }
            i += 1;
            if self.started {
                let end = points.first_not_below(i, self.edge.min(self.columns.end));
                if end > i {
                    points.scan(&mut self.run, offset, i, end);
                    i = end;
                }
            }
        }
        true
    }
}

/// Points with no x and no y missing and x ascending: two columns of equal length, or
/// interleaved values (a ring buffer's half).
#[derive(Clone, Copy)]
enum Dense<'a> {
    Columns { xs: &'a [f64], ys: &'a [f64] },
    Interleaved(&'a [f64]),
}

impl Dense<'_> {
    fn len(&self) -> usize {
        match self {
            Dense::Columns { xs, ys } => xs.len().min(ys.len()),
            Dense::Interleaved(values) => values.len() / 2,
        }
    }

    fn point(&self, i: usize) -> (f64, f64) {
        match self {
            Dense::Columns { xs, ys } => (xs[i], ys[i]),
            Dense::Interleaved(values) => (values[2 * i], values[2 * i + 1]),
        }
    }

    /// The first point from `from` on whose x is not below `limit` (`len()` if none):
    /// galloping from `from`, then a binary search, so a column's few hundred points cost
    /// about twenty reads close together.
    fn first_not_below(&self, from: usize, limit: f64) -> usize {
        match self {
            Dense::Columns { xs, .. } => first_not_below(&xs[..self.len()], 1, from, limit),
            Dense::Interleaved(values) => first_not_below(values, 2, from, limit),
        }
    }

    /// Adds points `from..to` (numbered from `offset` in the series) to `run`.
    fn scan(&self, run: &mut Run, offset: usize, from: usize, to: usize) {
        match self {
            Dense::Columns { ys, .. } => run.extend(offset + from, ys[from..to].iter().copied()),
            Dense::Interleaved(values) => {
                run.extend(
                    offset + from,
                    pairs(&values[2 * from..2 * to]).map(|(_, y)| y),
                );
            }
        }
    }
}

/// [`Dense::first_not_below`] over the x values `values[stride × i]`.
#[inline(always)]
fn first_not_below(values: &[f64], stride: usize, from: usize, limit: f64) -> usize {
    let n = values.len() / stride;
    let x = |i: usize| values[stride * i];
    // Every point before `low` is below `limit`; the answer is at most `high`.
    let (mut low, mut high) = (from, from);
    let mut step = 1;
    while high < n && x(high) < limit {
        low = high + 1;
        high = high.saturating_add(step);
        step = step.saturating_mul(2);
    }
    let mut high = high.min(n);
    while low < high {
        let middle = low + (high - low) / 2;
        if x(middle) < limit {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

/// Interleaved `[x0, y0, x1, y1, …]` values as `(x, y)` points.
fn pairs(values: &[f64]) -> Pairs<'_> {
    Pairs(values)
}

/// See [`pairs`]. A slice pattern per step: in the shipped wasm (`opt-level = "z"`)
/// `chunks_exact(2)` keeps its chunk length a runtime value, and the walks ran 4× slower
/// (`slice::as_chunks` is newer than the workspace's MSRV).
struct Pairs<'a>(&'a [f64]);

impl Iterator for Pairs<'_> {
    type Item = (f64, f64);

    #[inline(always)]
    fn next(&mut self) -> Option<(f64, f64)> {
        match self.0 {
            [x, y, rest @ ..] => {
                self.0 = rest;
                Some((*x, *y))
            }
            _ => None,
        }
    }
}

/// The points at `kept` as interleaved values again.
pub fn gather(values: Points<'_>, kept: &[u32]) -> Vec<f64> {
    let mut flat = Vec::with_capacity(2 * kept.len());
    for &i in kept {
        flat.push(values.x(i as usize));
        flat.push(values.y(i as usize));
    }
    flat
}

/// The sorted union of two ascending index lists (series stacked on each other keep the same
/// x values, or ECharts cannot stack them).
pub fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut merged = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                j += usize::from(x == y);
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        merged.push(next);
    }
    merged
}

/// The picked indices so far (ascending).
#[derive(Default)]
struct Picker(Vec<u32>);

impl Picker {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn push(&mut self, index: usize) {
        let index = index as u32;
        if self.0.last().is_none_or(|&last| last < index) {
            self.0.push(index);
        }
    }
}

/// First, lowest, highest and last point of a run of points in one column. Plain indices with
/// `EMPTY` for "none yet" rather than `Option`s: this runs once per point of the series.
#[derive(Clone, Copy)]
struct Run {
    first: usize,
    low: usize,
    high: usize,
    last: usize,
    low_y: f64,
    high_y: f64,
}

const EMPTY: usize = usize::MAX;

impl Default for Run {
    fn default() -> Self {
        Self {
            first: EMPTY,
            low: EMPTY,
            high: EMPTY,
            last: EMPTY,
            low_y: f64::INFINITY,
            high_y: f64::NEG_INFINITY,
        }
    }
}

impl Run {
    fn is_empty(&self) -> bool {
        self.first == EMPTY
    }

    fn add(&mut self, i: usize, y: f64) {
        if self.first == EMPTY {
            self.first = i;
            self.low = i;
            self.high = i;
            self.low_y = y;
            self.high_y = y;
        } else if y < self.low_y {
            self.low = i;
            self.low_y = y;
        } else if y > self.high_y {
            self.high = i;
            self.high_y = y;
        }
        self.last = i;
    }

    /// [`Self::add`] for consecutive points from `first` on, none missing: the extremes in
    /// locals, one comparison or two per point.
    #[inline(always)]
    fn extend(&mut self, first: usize, ys: impl Iterator<Item = f64>) {
        let mut ys = ys.enumerate();
        if self.is_empty() {
            let Some((_, y)) = ys.next() else {
                return;
            };
            self.add(first, y);
        }
        let (mut low, mut low_y, mut high, mut high_y) =
            (self.low, self.low_y, self.high, self.high_y);
        let mut count = 1;
        for (k, y) in ys {
            if y < low_y {
                (low, low_y) = (first + k, y);
            } else if y > high_y {
                (high, high_y) = (first + k, y);
            }
            count = k + 1;
        }
        (self.low, self.low_y, self.high, self.high_y) = (low, low_y, high, high_y);
        self.last = first + count - 1;
    }

    fn low(&self) -> Option<usize> {
        (self.low != EMPTY).then_some(self.low)
    }

    fn high(&self) -> Option<usize> {
        (self.high != EMPTY).then_some(self.high)
    }

    fn flush(&mut self, out: &mut Picker) {
        // first ≤ low, high ≤ last; `push` skips repeats.
        if !self.is_empty() {
            for i in [
                self.first,
                self.low.min(self.high),
                self.low.max(self.high),
                self.last,
            ] {
                out.push(i);
            }
            *self = Self::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A noisy walk (xorshift), x = 0, 1, 2, …
    fn walk(points: usize) -> Vec<f64> {
        let (mut s, mut y) = (2_463_534_242_u32, 0.0);
        (0..points)
            .flat_map(|i| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                y += f64::from(s) / 4_294_967_296.0 - 0.5;
                [i as f64, y]
            })
            .collect()
    }

    fn span(points: usize, pixels: f64) -> PixelColumns {
        PixelColumns {
            start: 0.0,
            end: (points - 1) as f64,
            left: 10.0,
            right: 10.0 + pixels,
        }
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert!(m4(Points::interleaved(&[]), &span(2, 100.0)).is_empty());
    }

    #[test]
    fn fewer_points_than_columns_are_all_kept() {
        let data = walk(50);
        assert_eq!(
            m4(Points::interleaved(&data), &span(50, 400.0)),
            (0..50).collect::<Vec<_>>()
        );
    }

    #[test]
    fn output_has_at_most_four_points_per_column_in_x_order() {
        let n = 200_000;
        let data = walk(n);
        let columns = span(n, 1_136.0);
        let kept = m4(Points::interleaved(&data), &columns);
        assert!(kept.len() <= 4 * columns.count(), "{} points", kept.len());
        assert!(
            kept.len() > 3 * columns.count(),
            "a noisy walk uses most of them"
        );
        assert!(
            kept.windows(2).all(|w| w[0] < w[1]),
            "ascending, no duplicates"
        );
        let xs: Vec<f64> = gather(Points::interleaved(&data), &kept)
            .chunks(2)
            .map(|p| p[0])
            .collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]), "x order is preserved");
    }

    #[test]
    fn every_column_keeps_its_first_last_lowest_and_highest_point() {
        let n = 50_000;
        let data = walk(n);
        let columns = span(n, 300.0);
        let kept = m4(Points::interleaved(&data), &columns);
        let mut by_column: std::collections::BTreeMap<i64, Vec<usize>> = Default::default();
        for i in 0..n {
            by_column
                .entry(columns.column(data[2 * i]))
                .or_default()
                .push(i);
        }
        let ys = |is: &[usize]| is.iter().map(|&i| data[2 * i + 1]).collect::<Vec<_>>();
        for (column, all) in by_column {
            let picked: Vec<usize> = kept
                .iter()
                .map(|&i| i as usize)
                .filter(|&i| columns.column(data[2 * i]) == column)
                .collect();
            assert_eq!(picked.first(), all.first(), "column {column}: first");
            assert_eq!(picked.last(), all.last(), "column {column}: last");
            let (mine, truth) = (ys(&picked), ys(&all));
            let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
            let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(min(&mine), min(&truth), "column {column}: lowest");
            assert_eq!(max(&mine), max(&truth), "column {column}: highest");
            assert!(picked.len() <= 4);
        }
    }

    #[test]
    fn a_gap_still_splits_the_line() {
        let n = 10_000;
        let mut data = walk(n);
        // One missing y inside a column, and a missing x elsewhere.
        data[2 * 5_005 + 1] = f64::NAN;
        data[2 * 7_000] = f64::NAN;
        let columns = span(n, 100.0);
        let kept = m4(Points::interleaved(&data), &columns);
        for gap in [5_005_u32, 7_000] {
            let at = kept
                .iter()
                .position(|&i| i == gap)
                .expect("the gap is kept");
            let (prev, next) = (kept[at - 1] as usize, kept[at + 1] as usize);
            assert!(prev < gap as usize && (gap as usize) < next);
            assert!(!data[2 * prev + 1].is_nan() && !data[2 * next + 1].is_nan());
        }
        // The points on either side of the gap are kept as ends of their runs.
        assert!(kept.contains(&5_004) && kept.contains(&5_006));
        assert!(kept.len() <= 4 * columns.count() + 2 * 5);
    }

    #[test]
    fn a_zoomed_window_keeps_the_extents_and_one_neighbour_each_side() {
        let n = 100_000;
        let data = walk(n);
        let columns = PixelColumns {
            start: 40_000.5,
            end: 45_000.0,
            left: 0.0,
            right: 200.0,
        };
        let kept = m4(Points::interleaved(&data), &columns);
        let outside: Vec<u32> = kept
            .iter()
            .copied()
            .filter(|&i| (i as f64) < columns.start || (i as f64) > columns.end)
            .collect();
        assert!(outside.contains(&0) && outside.contains(&(n as u32 - 1)));
        assert!(outside.contains(&40_000) && outside.contains(&45_001));
        assert!(outside.len() <= 6, "{outside:?}");
        let ys: Vec<f64> = (0..n).map(|i| data[2 * i + 1]).collect();
        let low = (0..n).min_by(|&a, &b| ys[a].total_cmp(&ys[b])).unwrap();
        let high = (0..n).max_by(|&a, &b| ys[a].total_cmp(&ys[b])).unwrap();
        assert!(kept.contains(&(low as u32)) && kept.contains(&(high as u32)));
        assert!(kept.len() <= 4 * columns.count() + 6);
    }

    #[test]
    fn x_going_backwards_keeps_every_point() {
        let data = [0.0, 1.0, 2.0, 1.0, 1.0, 5.0, 3.0, 0.0];
        assert!(!Shape::of(Points::interleaved(&data)).is_monotone());
        assert_eq!(m4(Points::interleaved(&data), &span(4, 1.0)), [0, 1, 2, 3]);
    }

    /// The largest `f64` below `x` (`f64::next_down` is newer than the workspace's MSRV).
    fn below(x: f64) -> f64 {
        match x {
            0.0 => -f64::from_bits(1),
            x if x > 0.0 => f64::from_bits(x.to_bits() - 1),
            x => f64::from_bits(x.to_bits() + 1),
        }
    }

    #[test]
    fn a_column_edge_is_tight_and_never_too_far_right() {
        // Epoch milliseconds 1 ms apart, 85 points per pixel column: the edge is within a
        // tenth of a point of where the next column starts…
        let start = 1_767_225_600_000.0;
        let columns = PixelColumns {
            start,
            end: start + 99_999.0,
            left: 60.5,
            right: 1_228.0,
        };
        let mapping = columns.mapping();
        for column in [60, 61, 500, 1_227] {
            let edge = mapping.next_edge(column);
            let exact = start + ((column + 1) as f64 - 60.5) * 99_999.0 / (1_228.0 - 60.5);
            assert!(exact - edge < 0.1, "column {column}: {edge} vs {exact}");
            // …and no x below it maps to a later column.
            assert!(mapping.column(below(edge)) <= column);
        }
        // The same over many scales and offsets, just below each edge.
        for (start, step) in [(0.0, 1.0), (-5e6, 0.37), (1e15, 3.0), (1.5e-3, 1e-7)] {
            let columns = PixelColumns {
                start,
                end: start + 10_000.0 * step,
                left: 3.25,
                right: 997.75,
            };
            let mapping = columns.mapping();
            for column in 3..997 {
                let edge = mapping.next_edge(column);
                assert!(
                    mapping.column(below(edge)) <= column,
                    "{start} {step} {column}"
                );
            }
        }
    }

    #[test]
    fn a_shape_from_column_stats_is_the_shape_worked_out() {
        let mut data = walk(3_000);
        data[2 * 700 + 1] = f64::NAN; // a missing y
        data[2 * 900 + 1] = -1e9; // the lowest, twice: the earliest counts
        data[2 * 950 + 1] = -1e9;
        let xs: Vec<f64> = data.iter().step_by(2).copied().collect();
        let mut ys: Vec<f64> = data.iter().skip(1).step_by(2).copied().collect();
        // (`dense` aside: only the stats say whether a y is missing.)
        let from = |xs: &[f64], ys: &[f64]| {
            Shape::from_stats(xs.len(), &ColumnStats::of(xs), &ColumnStats::of(ys)).map(|shape| {
                Shape {
                    dense: false,
                    ..shape
                }
            })
        };
        assert_eq!(from(&xs, &ys), Some(Shape::of(Points::columns(&xs, &ys))));
        // x going back once: not monotone either way.
        let mut back = xs.clone();
        back.swap(10, 11);
        let shape = from(&back, &ys).unwrap();
        assert!(!shape.is_monotone());
        assert_eq!(shape, Shape::of(Points::columns(&back, &ys)));
        // No y at all: no extremes.
        ys.fill(f64::NAN);
        assert_eq!(from(&xs, &ys), Some(Shape::of(Points::columns(&xs, &ys))));
        // A missing x: the stats cannot say which y counts.
        let mut gap = xs.clone();
        gap[5] = f64::NAN;
        assert_eq!(from(&gap, &ys), None);
        assert_eq!(from(&[], &[]), Some(Shape::of(Points::columns(&[], &[]))));
    }

    #[test]
    fn a_pick_from_column_stats_is_the_walked_pick() {
        // No value missing: the shape from the decoder's stats picks by looking each column's
        // points up (the dense walk); it must keep exactly what the point-by-point walk keeps.
        let ys: Vec<f64> = walk(30_000).into_iter().skip(1).step_by(2).collect();
        // x repeating three times, in uneven steps, with a jump; and epoch milliseconds.
        let uneven: Vec<f64> = (0..ys.len())
            .map(|i| (i / 3) as f64 * 1.5 + if i > 20_000 { 5_000.0 } else { 0.0 })
            .collect();
        let epoch: Vec<f64> = (0..ys.len()).map(|i| 1.767e12 + i as f64).collect();
        for xs in [uneven, epoch] {
            let points = Points::columns(&xs, &ys);
            let dense = Shape::from_stats(xs.len(), &ColumnStats::of(&xs), &ColumnStats::of(&ys));
            let dense = dense.unwrap();
            let walked = Shape::of(points);
            assert!(dense.dense && !walked.dense);
            let (first, last) = (xs[0], xs[xs.len() - 1]);
            let middle = first + (last - first) * 0.4;
            let window = |start: f64, end: f64, left: f64, right: f64| PixelColumns {
                start,
                end,
                left,
                right,
            };
            for columns in [
                window(first, last, 10.0, 910.0),
                window(first, last, 0.0, 37.0),
                window(middle, middle + (last - first) * 0.1, 3.5, 700.25),
                window(first - 50.0, last + 100.0, 0.0, 1_200.0),
                window(last - 10.0, last + 10.0, 0.0, 50.0),
                window(first - 10.0, first - 1.0, 0.0, 50.0),
                window(first, last, 900.0, 10.0),
            ] {
                assert_eq!(
                    m4_shaped(points, &dense, &columns),
                    m4_shaped(points, &walked, &columns),
                    "{columns:?}"
                );
            }
        }
    }

    #[test]
    fn a_dense_window_picks_without_its_shape_what_it_picks_with_it() {
        // A streamed window (a ring buffer in two halves, no value missing, x ascending) whose
        // columns span all of it: the shape-less dense pick keeps exactly M4's points.
        let data = walk(20_000);
        for split in [0, 2 * 7_777, data.len()] {
            let (front, back) = data.split_at(split);
            let points = Points::split(front, back);
            for pixels in [900.0, 333.5, 4_000.0] {
                let columns = span(20_000, pixels);
                let dense = Shape::dense_ascending(points.len());
                assert_eq!(
                    m4_shaped(points, &dense, &columns),
                    m4(points, &columns),
                    "split {split}, {pixels} px"
                );
            }
        }
    }

    #[test]
    fn works_on_a_ring_buffer_too() {
        let data = walk(5_000);
        // Split mid-point, as a ring buffer's two slices can be.
        let (front, back) = data.split_at(3_333);
        let columns = span(5_000, 50.0);
        let split = Points::split(front, back);
        assert_eq!(split.len(), 5_000);
        assert_eq!(
            m4(split, &columns),
            m4(Points::interleaved(&data), &columns)
        );
        assert_eq!(split.x_extent(), Some((0.0, 4_999.0)));
        // With gaps (a missing y, a missing x), zoomed, and the shape: the ring buffer's two
        // halves pick what the same points as columns pick.
        let mut data = walk(5_000);
        data[2 * 1_000 + 1] = f64::NAN;
        data[2 * 3_500] = f64::NAN;
        let (front, back) = data.split_at(2 * 2_000);
        let split = Points::split(front, back);
        let xs: Vec<f64> = data.iter().step_by(2).copied().collect();
        let ys: Vec<f64> = data.iter().skip(1).step_by(2).copied().collect();
        let columns = Points::columns(&xs, &ys);
        assert_eq!(Shape::of(split), Shape::of(columns));
        for pixels in [
            span(5_000, 40.0),
            PixelColumns {
                start: 1_500.5,
                end: 4_000.0,
                left: 0.0,
                right: 30.0,
            },
        ] {
            assert_eq!(m4(split, &pixels), m4(columns, &pixels));
        }
        // Every x present: the tight shape loops see both halves (the lowest point in the
        // back half).
        let mut data = walk(5_000);
        data[2 * 4_000 + 1] = -1e9;
        let (front, back) = data.split_at(2 * 2_000);
        let shape = Shape::of(Points::split(front, back));
        assert!(shape.is_monotone());
        assert!(shape.extent().contains(&4_000));
        // x going back where the halves meet.
        assert!(!Shape::of(Points::split(back, front)).is_monotone());
    }

    #[test]
    fn columns_read_in_place_pick_what_interleaved_values_pick() {
        let mut data = walk(20_000);
        // A missing y and a missing x inside the zoomed window, a missing y left of it.
        data[2 * 9_000 + 1] = f64::NAN;
        data[2 * 10_500] = f64::NAN;
        data[2 * 2_000 + 1] = f64::NAN;
        let xs: Vec<f64> = data.iter().step_by(2).copied().collect();
        let ys: Vec<f64> = data.iter().skip(1).step_by(2).copied().collect();
        let (interleaved, columns) = (Points::interleaved(&data), Points::columns(&xs, &ys));
        assert_eq!(columns.len(), 20_000);
        assert_eq!(Shape::of(columns), Shape::of(interleaved));
        for pixels in [
            span(20_000, 150.0),
            PixelColumns {
                start: 8_000.5,
                end: 12_000.0,
                left: 0.0,
                right: 90.0,
            },
        ] {
            assert_eq!(m4(columns, &pixels), m4(interleaved, &pixels));
        }
        assert_eq!(columns.to_interleaved().len(), data.len());
        // Every x present (the two-loop shape), a flat stretch (equal extremes) and a gap in y.
        let mut ys = ys.clone();
        ys[100..200].fill(-1e9);
        ys[300..400].fill(1e9);
        ys[500] = f64::NAN;
        let xs: Vec<f64> = (0..ys.len()).map(|i| i as f64).collect();
        let flat = Points::columns(&xs, &ys).to_interleaved();
        let shape = Shape::of(Points::columns(&xs, &ys));
        assert_eq!(shape, Shape::of(Points::interleaved(&flat)));
        assert_eq!(shape.extent(), [0, 100, 300, 19_999]);
        assert_eq!(gather(columns, &[0, 9_000])[..3], [0.0, data[1], 9_000.0]);
    }

    #[test]
    fn a_shape_worked_out_once_serves_every_pick() {
        let data = walk(30_000);
        let values = Points::interleaved(&data);
        let shape = Shape::of(values);
        assert!(shape.is_monotone());
        for right in [100.0, 640.0, 1_200.0] {
            let columns = span(30_000, right);
            assert_eq!(m4_shaped(values, &shape, &columns), m4(values, &columns));
        }
        // Out of order: every point, and the extents still found.
        let backwards = [3.0, 1.0, 1.0, 7.0, 2.0, -4.0];
        let shape = Shape::of(Points::interleaved(&backwards));
        assert!(!shape.is_monotone());
        assert_eq!(shape.extent(), [0, 1, 2]);
    }

    #[test]
    fn extent_keeps_what_sets_the_axes() {
        fn extent(values: Points<'_>) -> Vec<u32> {
            Shape::of(values).extent()
        }
        // x missing at both ends, a y gap inside; lowest at 3, highest at 5.
        let data = [
            f64::NAN,
            1.0,
            10.0,
            4.0,
            11.0,
            2.0,
            12.0,
            -3.0,
            13.0,
            f64::NAN,
            14.0,
            9.0,
            15.0,
            1.0,
            f64::NAN,
            0.0,
        ];
        assert_eq!(extent(Points::interleaved(&data)), [0, 1, 3, 5, 6, 7]);
        assert!(extent(Points::interleaved(&[])).is_empty());
        // The same on a ring buffer split inside a point.
        let kept = extent(Points::split(&data[..5], &data[5..]));
        assert_eq!(kept, [0, 1, 3, 5, 6, 7]);
        // The drawn extents equal the full series' (what the first layout needs).
        let walk = walk(10_000);
        let values = Points::interleaved(&walk);
        let picked: Vec<f64> = extent(values)
            .iter()
            .map(|&i| values.y(i as usize))
            .collect();
        let ys: Vec<f64> = (0..values.len()).map(|i| values.y(i)).collect();
        let fold = |v: &[f64], f: fn(f64, f64) -> f64, init| v.iter().copied().fold(init, f);
        assert_eq!(
            fold(&picked, f64::min, f64::INFINITY),
            fold(&ys, f64::min, f64::INFINITY)
        );
        assert_eq!(
            fold(&picked, f64::max, f64::NEG_INFINITY),
            fold(&ys, f64::max, f64::NEG_INFINITY)
        );
    }

    #[test]
    fn union_merges_stacked_series_picks() {
        assert_eq!(union(&[1, 4, 9], &[0, 4, 10]), [0, 1, 4, 9, 10]);
        assert_eq!(union(&[], &[2, 3]), [2, 3]);
        assert_eq!(union(&[5], &[]), [5]);
    }
}
