//! Iso-lines by marching squares: for each grid cell, which corners lie above the level decides which
//! cell edges the line crosses; the crossing points are interpolated linearly along the edges.

/// Values of `f` on an `n x n` grid: `z[j][i] = f(xs[i], ys[j])`.
pub(crate) struct Grid {
    pub xs: Vec<f64>,
    pub ys: Vec<f64>,
    pub z: Vec<Vec<f64>>,
}

impl Grid {
    pub fn sample(f: &impl Fn(f64, f64) -> f64, x: (f64, f64), y: (f64, f64), n: usize) -> Grid {
        let axis = |(lo, hi): (f64, f64)| -> Vec<f64> {
            (0..n)
                .map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64)
                .collect()
        };
        let (xs, ys) = (axis(x), axis(y));
        let z = ys
            .iter()
            .map(|&y| xs.iter().map(|&x| f(x, y)).collect())
            .collect();
        Grid { xs, ys, z }
    }

    /// Line segments where the surface crosses `level`.
    pub fn iso_segments(&self, level: f64) -> Vec<[(f64, f64); 2]> {
        let mut out = Vec::new();
        for j in 0..self.ys.len() - 1 {
            for i in 0..self.xs.len() - 1 {
                // Corners counter-clockwise from bottom-left.
                let v = [
                    self.z[j][i],
                    self.z[j][i + 1],
                    self.z[j + 1][i + 1],
                    self.z[j + 1][i],
                ];
                if v.iter().any(|v| !v.is_finite()) {
                    continue;
                }
                let (x0, x1, y0, y1) = (self.xs[i], self.xs[i + 1], self.ys[j], self.ys[j + 1]);
                let t = |a: f64, b: f64| (level - a) / (b - a);
                // Crossing on edge 0 bottom, 1 right, 2 top, 3 left.
                let edge = |e: usize| match e {
                    0 => (x0 + (x1 - x0) * t(v[0], v[1]), y0),
                    1 => (x1, y0 + (y1 - y0) * t(v[1], v[2])),
                    2 => (x0 + (x1 - x0) * t(v[3], v[2]), y1),
                    _ => (x0, y0 + (y1 - y0) * t(v[0], v[3])),
                };
                let case = v
                    .iter()
                    .enumerate()
                    .fold(0, |c, (k, &z)| c | (((z > level) as usize) << k));
                let centre_above = v.iter().sum::<f64>() / 4.0 > level;
                let pairs: &[(usize, usize)] = match case {
                    1 | 14 => &[(3, 0)],
                    2 | 13 => &[(0, 1)],
                    3 | 12 => &[(3, 1)],
                    4 | 11 => &[(1, 2)],
                    6 | 9 => &[(0, 2)],
                    7 | 8 => &[(3, 2)],
                    5 if centre_above => &[(0, 1), (2, 3)],
                    5 => &[(3, 0), (1, 2)],
                    10 if centre_above => &[(3, 0), (1, 2)],
                    10 => &[(0, 1), (2, 3)],
                    _ => &[],
                };
                out.extend(pairs.iter().map(|&(a, b)| [edge(a), edge(b)]));
            }
        }
        out
    }

    /// `count` levels at evenly spaced quantiles of the finite values, so that both a bowl and a steep
    /// valley get lines where the data is.
    pub fn levels(&self, count: usize) -> Vec<f64> {
        let mut v: Vec<f64> = self
            .z
            .iter()
            .flatten()
            .copied()
            .filter(|z| z.is_finite())
            .collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return Vec::new();
        }
        let mut levels: Vec<f64> = (1..=count)
            .map(|k| {
                let q = (k as f64 / (count + 1) as f64).powi(2);
                v[((v.len() - 1) as f64 * q).round() as usize]
            })
            .collect();
        levels.dedup();
        levels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn circle_level_lies_on_circle() {
        let g = Grid::sample(&|x, y| x * x + y * y, (-2.0, 2.0), (-2.0, 2.0), 41);
        let segs = g.iso_segments(1.0);
        assert!(segs.len() > 20);
        for s in segs {
            for (x, y) in s {
                assert!(((x * x + y * y).sqrt() - 1.0).abs() < 0.02, "({x}, {y})");
            }
        }
    }
}
