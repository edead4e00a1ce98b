//! Linear regression two ways, so a notebook can show they meet: closed-form least squares (Householder
//! QR, robust where the normal equations lose digits) and gradient descent on the MSE with any optimizer.
//!
//! ```
//! use calc_dl::data::lesson_line;
//! use calc_dl::optim::{Minimizer, Sgd};
//! use calc_dl::regression::{fit_gd, least_squares};
//!
//! let data = lesson_line(); // y = 2x + 1
//! let exact = least_squares(&data)?;
//! assert!((exact.weights[0] - 2.0).abs() < 1e-12 && (exact.bias - 1.0).abs() < 1e-12);
//! let (gd, run) = fit_gd(&data, &mut Sgd::new(0.05), &Minimizer::new(5000).grad_tol(1e-10))?;
//! assert!((gd.weights[0] - 2.0).abs() < 1e-8 && (gd.bias - 1.0).abs() < 1e-8);
//! assert!(run.losses()[0] > run.loss);
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::linalg;
use crate::optim::{Minimizer, Optimizer, Problem, Run};
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// `y ≈ x·weights + bias`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearFit {
    pub weights: Array1<f64>,
    pub bias: f64,
}

impl LinearFit {
    /// The parameters `[w₁, …, w_k, b]` as one vector, the layout [`LinearRegression`] optimises.
    pub fn to_params(&self) -> Vec<f64> {
        self.weights.iter().copied().chain([self.bias]).collect()
    }

    /// From `[w₁, …, w_k, b]`.
    pub fn from_params(p: &[f64]) -> Result<LinearFit> {
        match p.split_last() {
            Some((&bias, w)) if !w.is_empty() => Ok(LinearFit {
                weights: Array1::from(w.to_vec()),
                bias,
            }),
            _ => Err(Error::empty(
                "the parameters of a linear model (need a weight and a bias)",
            )),
        }
    }

    /// Predictions for the rows of `x`.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array1<f64>> {
        if x.ncols() != self.weights.len() {
            return Err(Error::shape(
                "LinearFit::predict",
                format!("{} feature columns", self.weights.len()),
                format!("{} columns", x.ncols()),
            ));
        }
        Ok(x.dot(&self.weights) + self.bias)
    }

    /// The mean squared error on a data set.
    pub fn mse(&self, data: &Dataset) -> Result<f64> {
        let r = self.predict(data.x.view())? - &data.y;
        Ok(r.mapv(|e| e * e).mean().expect("a data set is not empty"))
    }
}

/// The least-squares line (or hyperplane) with an intercept, by QR on `[x | 1]`.
pub fn least_squares(data: &Dataset) -> Result<LinearFit> {
    let (n, k) = data.x.dim();
    if n < k + 1 {
        return Err(Error::shape(
            "least_squares",
            format!("at least {} samples for {k} features and a bias", k + 1),
            format!("{n} samples"),
        ));
    }
    let ones = Array2::ones((n, 1));
    let a = ndarray::concatenate(Axis(1), &[data.x.view(), ones.view()]).expect("same row count");
    let p = linalg::lstsq(&a, &data.y)?;
    LinearFit::from_params(p.as_slice().expect("contiguous"))
}

/// The MSE of a linear model as a [`Problem`] over `[w₁, …, w_k, b]`, with the gradient
/// `2/n · Σ (x·w + b - y)·[x, 1]` computed in one pass over the data (no tape, no temporaries).
pub struct LinearRegression<'a> {
    pub data: &'a Dataset,
}

impl LinearRegression<'_> {
    fn check(&self, p: &[f64]) -> Result<()> {
        if p.len() != self.data.features() + 1 {
            return Err(Error::shape(
                "LinearRegression parameters",
                format!(
                    "{} values ({} weights and a bias)",
                    self.data.features() + 1,
                    self.data.features()
                ),
                format!("{} values", p.len()),
            ));
        }
        Ok(())
    }
}

impl Problem for LinearRegression<'_> {
    fn value(&mut self, p: &[f64]) -> Result<f64> {
        self.check(p)?;
        let k = self.data.features();
        let (w, b) = (&p[..k], p[k]);
        let x = self
            .data
            .x
            .as_slice()
            .expect("Dataset keeps x in standard layout");
        let sse: f64 = x
            .chunks_exact(k)
            .zip(&self.data.y)
            .map(|(row, y)| {
                let e = row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + b - y;
                e * e
            })
            .sum();
        Ok(sse / self.data.len() as f64)
    }

    fn value_and_grad(&mut self, p: &[f64]) -> Result<(f64, Vec<f64>)> {
        self.check(p)?;
        let k = self.data.features();
        let x = self
            .data
            .x
            .as_slice()
            .expect("Dataset keeps x in standard layout");
        let y = self
            .data
            .y
            .as_slice()
            .expect("an owned vector is contiguous");
        let mut g = vec![0.0; k + 1];
        // A fixed feature count lets the compiler unroll and vectorise the row loop.
        let sse = match k {
            1 => mse_pass::<1>(x, y, p, &mut g),
            2 => mse_pass::<2>(x, y, p, &mut g),
            3 => mse_pass::<3>(x, y, p, &mut g),
            4 => mse_pass::<4>(x, y, p, &mut g),
            8 => mse_pass::<8>(x, y, p, &mut g),
            16 => mse_pass::<16>(x, y, p, &mut g),
            _ => mse_pass_any(k, x, y, p, &mut g),
        };
        let n = self.data.len() as f64;
        g.iter_mut().for_each(|g| *g *= 2.0 / n);
        Ok((sse / n, g))
    }

    fn hessian(&mut self, p: &[f64]) -> Result<Array2<f64>> {
        self.check(p)?;
        let n = self.data.len();
        let ones = Array2::ones((n, 1));
        let a =
            ndarray::concatenate(Axis(1), &[self.data.x.view(), ones.view()]).expect("same rows");
        Ok(a.t().dot(&a) * (2.0 / n as f64))
    }
}

/// Fits a linear model by minimising the MSE from zero with `optimizer`, as notebook 07's loop does.
pub fn fit_gd(
    data: &Dataset,
    optimizer: &mut dyn Optimizer,
    minimizer: &Minimizer,
) -> Result<(LinearFit, Run)> {
    let x0 = vec![0.0; data.features() + 1];
    let run = minimizer.run(&mut LinearRegression { data }, optimizer, &x0)?;
    Ok((LinearFit::from_params(&run.x)?, run))
}

/// One pass over the data for `K` features: returns the sum of squared errors and adds
/// `Σ e·[x, 1]` into `g`. Rows go four at a time, so four independent dot products are in flight
/// instead of one chain of dependent additions.
fn mse_pass<const K: usize>(x: &[f64], y: &[f64], p: &[f64], g: &mut [f64]) -> f64 {
    let w: [f64; K] = p[..K].try_into().expect("K weights");
    let b = p[K];
    let mut gw = [0.0; K];
    let (mut gb, mut sse) = (0.0, 0.0);
    let residual = |row: &[f64], y: f64| -> f64 {
        let row: &[f64; K] = row.try_into().expect("K features");
        let mut e = b - y;
        for j in 0..K {
            e += row[j] * w[j];
        }
        e
    };
    let blocks = x.chunks_exact(4 * K).zip(y.chunks_exact(4));
    for (rows, ys) in blocks {
        let (r0, rest) = rows.split_at(K);
        let (r1, rest) = rest.split_at(K);
        let (r2, r3) = rest.split_at(K);
        let e = [
            residual(r0, ys[0]),
            residual(r1, ys[1]),
            residual(r2, ys[2]),
            residual(r3, ys[3]),
        ];
        sse += (e[0] * e[0] + e[1] * e[1]) + (e[2] * e[2] + e[3] * e[3]);
        gb += (e[0] + e[1]) + (e[2] + e[3]);
        for j in 0..K {
            gw[j] += (e[0] * r0[j] + e[1] * r1[j]) + (e[2] * r2[j] + e[3] * r3[j]);
        }
    }
    let done = y.len() / 4 * 4;
    for (row, &y) in x[done * K..].chunks_exact(K).zip(&y[done..]) {
        let e = residual(row, y);
        sse += e * e;
        gb += e;
        for j in 0..K {
            gw[j] += e * row[j];
        }
    }
    g[..K].copy_from_slice(&gw);
    g[K] = gb;
    sse
}

/// [`mse_pass`] for any number of features.
fn mse_pass_any(k: usize, x: &[f64], y: &[f64], p: &[f64], g: &mut [f64]) -> f64 {
    let (w, b) = (&p[..k], p[k]);
    let mut sse = 0.0;
    for (row, y) in x.chunks_exact(k).zip(y) {
        let e = row.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() + b - y;
        sse += e * e;
        g[..k].iter_mut().zip(row).for_each(|(g, a)| *g += e * a);
        g[k] += e;
    }
    sse
}
