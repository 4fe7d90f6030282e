//! Percentiles over samples (nearest-rank, on a sorted copy).

/// Median, p95 and max of `samples` (milliseconds or any unit); `None` when empty.
pub struct Summary {
    pub n: usize,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

/// The `q` quantile (0..=1) of sorted `values` by nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn summarize(samples: &[f64]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Summary {
        n: sorted.len(),
        p50: quantile(&sorted, 0.5),
        p95: quantile(&sorted, 0.95),
        max: sorted[sorted.len() - 1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&v).unwrap();
        assert_eq!((s.p50, s.p95, s.max, s.n), (50.0, 95.0, 100.0, 100));
        assert_eq!(quantile(&[7.0], 0.95), 7.0);
        assert!(summarize(&[]).is_none());
    }
}
