//! Monte Carlo: `E[f(X)]` as the mean of `f` at `n` random draws of `X`, with the standard error
//! `s/√n` that says how far off the mean probably is. Slow (a hundred times the samples for one more
//! digit) but blind to dimension and smoothness, which is why expectations in deep learning (losses
//! over data, ELBOs) are estimated this way.

use super::sample;
use crate::error::{Error, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution as _;

/// The distribution `X` is drawn from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// Uniform on `[low, high)`; then `(high - low)·E[f(X)] = ∫ f` over the range.
    Uniform { low: f64, high: f64 },
    /// Gaussian with this mean and standard deviation.
    Normal { mean: f64, std_dev: f64 },
}

impl Distribution {
    pub fn uniform(low: f64, high: f64) -> Self {
        Distribution::Uniform { low, high }
    }
    pub fn normal(mean: f64, std_dev: f64) -> Self {
        Distribution::Normal { mean, std_dev }
    }
    /// `N(0, 1)`.
    pub fn standard_normal() -> Self {
        Distribution::normal(0.0, 1.0)
    }
}

/// The sample mean of `f(X)`, its standard error, and the number of samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct McEstimate {
    pub mean: f64,
    /// `s/√n`, `s` the sample standard deviation: about 68% of seeds land within one of these of the
    /// true expectation, 95% within two.
    pub std_error: f64,
    pub n: usize,
}

enum Sampler {
    Uniform(rand::distr::Uniform<f64>),
    Normal(rand_distr::Normal<f64>),
}

impl Sampler {
    fn new(distribution: Distribution) -> Result<Sampler> {
        match distribution {
            Distribution::Uniform { low, high } => {
                let bad = |what: &str, value: f64| {
                    Error::parameter(
                        what,
                        value,
                        format!("a uniform distribution needs finite bounds with low < high (here [{low}, {high}))"),
                    )
                };
                if !low.is_finite() {
                    return Err(bad("low", low));
                }
                if !(high.is_finite() && low < high) {
                    return Err(bad("high", high));
                }
                rand::distr::Uniform::new(low, high)
                    .map(Sampler::Uniform)
                    .map_err(|_| bad("high - low", high - low))
            }
            Distribution::Normal { mean, std_dev } => {
                if !mean.is_finite() {
                    return Err(Error::parameter(
                        "mean",
                        mean,
                        "a normal distribution's mean must be a finite number",
                    ));
                }
                let bad = || {
                    Error::parameter(
                        "std_dev",
                        std_dev,
                        "a standard deviation must be finite and > 0",
                    )
                };
                if !(std_dev.is_finite() && std_dev > 0.0) {
                    return Err(bad());
                }
                rand_distr::Normal::new(mean, std_dev)
                    .map(Sampler::Normal)
                    .map_err(|_| bad())
            }
        }
    }

    fn draw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Sampler::Uniform(u) => u.sample(rng),
            Sampler::Normal(n) => n.sample(rng),
        }
    }
}

/// `E[f(X)]` for `X ~ distribution` from `n >= 2` draws of a ChaCha8 generator seeded with `seed` (the
/// same numbers on every machine, as in [`crate::data`]).
///
/// ```
/// use calc_dl::integrate::{self, Distribution};
///
/// let second_moment = integrate::monte_carlo(|x| x * x, Distribution::standard_normal(), 10_000, 7)?;
/// assert!((second_moment.mean - 1.0).abs() < 4.0 * second_moment.std_error);
/// // ∫₀² x³ dx = 4 as (b - a)·E[f(U)], U uniform on [0, 2].
/// let u = integrate::monte_carlo(|x| x.powi(3), Distribution::uniform(0.0, 2.0), 10_000, 7)?;
/// assert!((2.0 * u.mean - 4.0).abs() < 4.0 * 2.0 * u.std_error);
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn monte_carlo(
    f: impl Fn(f64) -> f64,
    distribution: Distribution,
    n: usize,
    seed: u64,
) -> Result<McEstimate> {
    let sampler = Sampler::new(distribution)?;
    if n < 2 {
        return Err(Error::parameter(
            "n",
            n as f64,
            "a standard error needs the spread of at least 2 samples: pass n >= 2",
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Welford's running mean and sum of squared deviations: no cancellation for large n.
    let (mut mean, mut squares, mut count) = (0.0, 0.0, 0);
    for k in 1..=n {
        let y = sample(&f, sampler.draw(&mut rng), &mut count)?;
        let delta = y - mean;
        mean += delta / k as f64;
        squares += delta * (y - mean);
    }
    let variance = squares / (n - 1) as f64;
    Ok(McEstimate {
        mean,
        std_error: (variance / n as f64).sqrt(),
        n,
    })
}
