//! Learning-rate schedules, with PyTorch's closed forms (`StepLR`, `ExponentialLR`, `CosineAnnealingLR`).

use crate::error::{Error, Result};

/// How the learning rate changes with the step number `t` (0 for the first step), from a base rate.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Schedule {
    /// The base rate throughout.
    #[default]
    Constant,
    /// `base · gammaᵗ/ᵉᵛᵉʳʸ` (integer division): drops by `gamma` every `every` steps.
    Step { every: usize, gamma: f64 },
    /// `base · gammaᵗ`.
    Exponential { gamma: f64 },
    /// `min + (base - min)·(1 + cos(π·t / t_max)) / 2`: a half cosine from the base down to `min` at
    /// `t_max` (and back up after, as PyTorch's closed form).
    Cosine { t_max: usize, min: f64 },
}

impl Schedule {
    /// The learning rate at step `t`.
    ///
    /// ```
    /// use calc_dl::optim::Schedule;
    /// assert_eq!(Schedule::Step { every: 10, gamma: 0.5 }.lr(0.1, 25), 0.025);
    /// assert_eq!(Schedule::Cosine { t_max: 100, min: 0.0 }.lr(0.1, 100), 0.0);
    /// ```
    pub fn lr(&self, base: f64, t: usize) -> f64 {
        match *self {
            Schedule::Constant => base,
            Schedule::Step { every, gamma } => base * gamma.powi((t / every.max(1)) as i32),
            Schedule::Exponential { gamma } => base * gamma.powi(t as i32),
            Schedule::Cosine { t_max, min } => {
                let phase = std::f64::consts::PI * t as f64 / t_max.max(1) as f64;
                min + (base - min) * (1.0 + phase.cos()) / 2.0
            }
        }
    }

    /// Checks the schedule's own parameters.
    pub fn check(&self) -> Result<()> {
        let gamma = |g: f64| {
            if g.is_finite() && g > 0.0 && g <= 1.0 {
                Ok(())
            } else {
                Err(Error::parameter(
                    "schedule gamma",
                    g,
                    "a decay factor must lie in (0, 1]",
                ))
            }
        };
        match *self {
            Schedule::Constant => Ok(()),
            Schedule::Step { every: 0, .. } => Err(Error::parameter(
                "Schedule::Step every",
                0.0,
                "drop the rate every 1 or more steps",
            )),
            Schedule::Step { gamma: g, .. } | Schedule::Exponential { gamma: g } => gamma(g),
            Schedule::Cosine { t_max: 0, .. } => Err(Error::parameter(
                "Schedule::Cosine t_max",
                0.0,
                "the half period must be 1 or more steps",
            )),
            Schedule::Cosine { min, .. } if !(min.is_finite() && min >= 0.0) => {
                Err(Error::parameter(
                    "Schedule::Cosine min",
                    min,
                    "the lowest rate must be finite and >= 0",
                ))
            }
            Schedule::Cosine { .. } => Ok(()),
        }
    }
}
