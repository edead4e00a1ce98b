//! Data for regression and classification: notebook 07's exact points, seeded synthetic sets, two moons,
//! and a small CSV of house sizes and prices shipped with the crate (read with polars under the
//! `tables` feature).

use crate::error::{Error, Result};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StandardNormal};

/// Samples as rows of `x` (`n × features`) with one target each in `y`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub x: Array2<f64>,
    pub y: Array1<f64>,
}

impl Dataset {
    /// Checks that there is at least one sample, one target per row, and no NaN or infinity.
    pub fn new(x: Array2<f64>, y: Array1<f64>) -> Result<Dataset> {
        if x.nrows() == 0 || x.ncols() == 0 {
            return Err(Error::empty(format!(
                "the data set ({} samples × {} features)",
                x.nrows(),
                x.ncols()
            )));
        }
        if y.len() != x.nrows() {
            return Err(Error::shape(
                "Dataset: targets",
                format!("{} targets, one per row of x", x.nrows()),
                format!("{} targets", y.len()),
            ));
        }
        if let Some(((i, j), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite(
                format!("x[{i}, {j}] (sample {i}, feature {j})"),
                *v,
            ));
        }
        if let Some((i, v)) = y.indexed_iter().find(|(_, v)| !v.is_finite()) {
            return Err(Error::non_finite(format!("y[{i}]"), *v));
        }
        let x = x.as_standard_layout().into_owned();
        Ok(Dataset { x, y })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.y.len()
    }

    /// Never true: a data set has at least one sample.
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }

    /// Number of features.
    pub fn features(&self) -> usize {
        self.x.ncols()
    }

    /// The targets as an `n × 1` column, the shape a model's output has.
    pub fn y_column(&self) -> Array2<f64> {
        self.y.clone().insert_axis(ndarray::Axis(1))
    }
}

/// Notebook 07's points on `y = 2x + 1`: `x = 1, 2, 3, 4, 5`, `y = 3, 5, 7, 9, 11`, no noise.
pub fn lesson_line() -> Dataset {
    let x = ndarray::array![[1.0], [2.0], [3.0], [4.0], [5.0]];
    let y = ndarray::array![3.0, 5.0, 7.0, 9.0, 11.0];
    Dataset { x, y }
}

fn check_noise(noise: f64) -> Result<()> {
    if noise.is_finite() && noise >= 0.0 {
        Ok(())
    } else {
        Err(Error::parameter(
            "noise",
            noise,
            "a noise level must be finite and >= 0",
        ))
    }
}

/// `n` samples of `y = x·weights + bias + noise·ε` with features and `ε` standard normal, from a
/// ChaCha8 generator seeded with `seed` (the same numbers on every machine).
pub fn synthetic_regression(
    n: usize,
    weights: &[f64],
    bias: f64,
    noise: f64,
    seed: u64,
) -> Result<Dataset> {
    if n == 0 || weights.is_empty() {
        return Err(Error::empty(format!(
            "synthetic_regression ({n} samples, {} weights)",
            weights.len()
        )));
    }
    check_noise(noise)?;
    crate::error::check_point("weights", weights)?;
    crate::error::check_finite("bias", bias)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = Array2::from_shape_simple_fn((n, weights.len()), || StandardNormal.sample(&mut rng));
    let w = Array1::from(weights.to_vec());
    let eps: Array1<f64> = Array1::from_shape_simple_fn(n, || StandardNormal.sample(&mut rng));
    let y = x.dot(&w) + bias + eps * noise;
    Dataset::new(x, y)
}

/// Two interleaving half circles (scikit-learn's `make_moons`), labels `-1` (upper moon) and `+1`
/// (lower moon), with Gaussian noise of standard deviation `noise`.
pub fn two_moons(n: usize, noise: f64, seed: u64) -> Result<Dataset> {
    if n < 2 {
        return Err(Error::empty(format!(
            "two_moons with {n} points: ask for at least 2"
        )));
    }
    check_noise(noise)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let jitter = Normal::new(0.0, noise.max(f64::MIN_POSITIVE)).expect("checked above");
    let (outer, inner) = (n / 2, n - n / 2);
    let mut x = Array2::zeros((n, 2));
    let mut y = Array1::zeros(n);
    let pi = std::f64::consts::PI;
    for i in 0..n {
        let (px, py, label) = if i < outer {
            let t = pi * i as f64 / (outer.max(2) - 1) as f64;
            (t.cos(), t.sin(), -1.0)
        } else {
            let t = pi * (i - outer) as f64 / (inner.max(2) - 1) as f64;
            (1.0 - t.cos(), 0.5 - t.sin(), 1.0)
        };
        let (dx, dy): (f64, f64) = if noise > 0.0 {
            (jitter.sample(&mut rng), jitter.sample(&mut rng))
        } else {
            (0.0, 0.0)
        };
        x[[i, 0]] = px + dx;
        x[[i, 1]] = py + dy;
        y[i] = label;
    }
    Dataset::new(x, y)
}

/// The shipped CSV of 20 made-up apartments: `size_m2,price_10k_won`, with `#` comment lines.
pub const HOUSES_CSV: &str = include_str!("../data/houses.csv");

/// The shipped house data (size in m², price in 10,000 won), read with polars.
#[cfg(feature = "tables")]
pub fn houses() -> Result<Dataset> {
    use polars::prelude::SerReader;
    let cursor = std::io::Cursor::new(HOUSES_CSV.as_bytes());
    let df = polars::prelude::CsvReadOptions::default()
        .with_has_header(true)
        .with_parse_options(
            polars::prelude::CsvParseOptions::default().with_comment_prefix(Some("#")),
        )
        .into_reader_with_file_handle(cursor)
        .finish()
        .map_err(|e| Error::Data {
            what: "the shipped houses.csv".into(),
            reason: e.to_string(),
        })?;
    from_frame(&df, &["size_m2"], "price_10k_won")
}

/// Reads a CSV file with a header into a [`Dataset`], taking the named feature and target columns.
#[cfg(feature = "tables")]
pub fn read_csv(
    path: impl AsRef<std::path::Path>,
    features: &[&str],
    target: &str,
) -> Result<Dataset> {
    use polars::prelude::SerReader;
    let path = path.as_ref();
    let df = polars::prelude::CsvReadOptions::default()
        .with_has_header(true)
        .with_parse_options(
            polars::prelude::CsvParseOptions::default().with_comment_prefix(Some("#")),
        )
        .try_into_reader_with_file_path(Some(path.to_path_buf()))
        .and_then(|r| r.finish())
        .map_err(|e| Error::Data {
            what: path.display().to_string(),
            reason: e.to_string(),
        })?;
    from_frame(&df, features, target)
}

/// Picks feature and target columns out of a polars frame, as `f64`.
#[cfg(feature = "tables")]
pub fn from_frame(
    df: &polars::prelude::DataFrame,
    features: &[&str],
    target: &str,
) -> Result<Dataset> {
    use polars::prelude::DataType;
    let column = |name: &str| -> Result<Vec<f64>> {
        let bad = |reason: String| Error::Data {
            what: format!("column {name:?}"),
            reason,
        };
        let s = df
            .column(name)
            .map_err(|e| bad(e.to_string()))?
            .cast(&DataType::Float64)
            .map_err(|e| bad(e.to_string()))?;
        let ca = s.f64().map_err(|e| bad(e.to_string()))?;
        ca.into_iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| bad(format!("row {i} is missing or not a number"))))
            .collect()
    };
    if features.is_empty() {
        return Err(Error::empty("the list of feature columns"));
    }
    let n = df.height();
    let mut x = Array2::zeros((n, features.len()));
    for (j, name) in features.iter().enumerate() {
        for (i, v) in column(name)?.into_iter().enumerate() {
            x[[i, j]] = v;
        }
    }
    Dataset::new(x, Array1::from(column(target)?))
}
