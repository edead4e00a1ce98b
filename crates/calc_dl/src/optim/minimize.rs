//! The executor: runs any [`Optimizer`] on any [`Problem`], applies the schedule and the stopping rules,
//! catches divergence, and records the history as plain data for plots and tables.

use super::{check_lr, norm, Optimizer, Problem, Schedule};
use crate::error::{check_point, Error, Result};

/// One row of a run's history: the state *before* the step numbered `step`.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub step: usize,
    /// Empty when the [`Minimizer`] was told not to keep parameters (large models).
    pub params: Vec<f64>,
    pub loss: f64,
    pub grad_norm: f64,
    /// The learning rate used for the step from here.
    pub lr: f64,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The gradient norm fell to the tolerance.
    GradTolerance,
    /// The step budget ran out.
    MaxSteps,
    /// The method could not move any more (a line search found no decrease).
    NoProgress,
}

/// The result of a run: the final point and the whole path to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub optimizer: &'static str,
    pub x: Vec<f64>,
    pub loss: f64,
    pub grad_norm: f64,
    /// How many updates were made.
    pub steps: usize,
    pub stop: Stop,
    /// One record per evaluated point, the start included: `steps + 1` rows.
    pub history: Vec<Record>,
}

impl Run {
    /// The loss column of the history.
    pub fn losses(&self) -> Vec<f64> {
        self.history.iter().map(|r| r.loss).collect()
    }
    /// The gradient-norm column of the history.
    pub fn grad_norms(&self) -> Vec<f64> {
        self.history.iter().map(|r| r.grad_norm).collect()
    }
    /// Parameter `i` along the path (empty if parameters were not kept).
    pub fn param(&self, i: usize) -> Vec<f64> {
        self.history
            .iter()
            .filter_map(|r| r.params.get(i).copied())
            .collect()
    }
}

/// Settings of a run: a step budget, a gradient tolerance, a schedule and the divergence rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimizer {
    pub max_steps: usize,
    /// Stop when `‖∇f‖ ≤ grad_tol` (0: never).
    pub grad_tol: f64,
    pub schedule: Schedule,
    /// A loss above `explode · max(|first loss|, 1)` counts as divergence.
    pub explode: f64,
    /// Keep the parameters in every [`Record`] (turn off for large models).
    pub record_params: bool,
}

impl Minimizer {
    /// At most `max_steps` updates, gradient tolerance `1e-8`, constant rate, divergence at `1e8×` the
    /// first loss.
    pub fn new(max_steps: usize) -> Self {
        Minimizer {
            max_steps,
            grad_tol: 1e-8,
            schedule: Schedule::Constant,
            explode: 1e8,
            record_params: true,
        }
    }
    pub fn grad_tol(self, grad_tol: f64) -> Self {
        Minimizer { grad_tol, ..self }
    }
    pub fn schedule(self, schedule: Schedule) -> Self {
        Minimizer { schedule, ..self }
    }
    pub fn explode(self, explode: f64) -> Self {
        Minimizer { explode, ..self }
    }
    pub fn record_params(self, record_params: bool) -> Self {
        Minimizer {
            record_params,
            ..self
        }
    }

    /// Minimises `problem` from `x0`. A non-finite or exploding loss stops the run with
    /// [`Error::Diverged`]; see [`run_partial`](Minimizer::run_partial) to keep the path up to there.
    ///
    /// ```
    /// use calc_dl::prelude::*;
    /// use calc_dl::optim::{Minimizer, Sgd, VarProblem};
    /// let mut p = VarProblem(|w: &[Var]| (w[0] - 3.0).powi(2));
    /// let err = Minimizer::new(100).run(&mut p, &mut Sgd::new(1.5), &[0.0]).unwrap_err();
    /// assert!(matches!(err, Error::Diverged { .. }));
    /// assert!(err.to_string().contains("smaller learning rate"));
    /// ```
    pub fn run(
        &self,
        problem: &mut dyn Problem,
        optimizer: &mut dyn Optimizer,
        x0: &[f64],
    ) -> Result<Run> {
        let (run, outcome) = self.run_partial(problem, optimizer, x0)?;
        outcome.map(|()| run)
    }

    /// Like [`run`](Minimizer::run), but a divergence or a failing step still returns the finite part
    /// of the path (`Ok((run, Err(e)))`), e.g. to plot a learning rate that is too large. Bad settings
    /// or a bad start are still an outer `Err`.
    pub fn run_partial(
        &self,
        problem: &mut dyn Problem,
        optimizer: &mut dyn Optimizer,
        x0: &[f64],
    ) -> Result<(Run, Result<()>)> {
        check_point("x0", x0)?;
        self.schedule.check()?;
        if !(self.grad_tol.is_finite() && self.grad_tol >= 0.0) {
            return Err(Error::parameter(
                "grad_tol",
                self.grad_tol,
                "a tolerance must be finite and >= 0",
            ));
        }
        if self.explode.is_nan() || self.explode <= 1.0 {
            return Err(Error::parameter(
                "explode",
                self.explode,
                "the divergence factor must be > 1",
            ));
        }
        let base_lr = optimizer.learning_rate();
        check_lr(base_lr)?;
        let mut x = x0.to_vec();
        let (loss0, grad0) = problem.value_and_grad(&x)?;
        if !loss0.is_finite() {
            return Err(Error::non_finite("the loss at the starting point", loss0));
        }
        let limit = self.explode * loss0.abs().max(1.0);
        let mut run = Run {
            optimizer: optimizer.name(),
            x: x.clone(),
            loss: loss0,
            grad_norm: norm(&grad0),
            steps: 0,
            stop: Stop::MaxSteps,
            history: Vec::new(),
        };
        let (mut loss, mut grad) = (loss0, grad0);
        let outcome = loop {
            let step = run.steps;
            let grad_norm = norm(&grad);
            if !grad_norm.is_finite() {
                break Err(Error::non_finite(
                    format!("the gradient norm at step {step} (the loss was {loss})"),
                    grad_norm,
                ));
            }
            let lr = self.schedule.lr(base_lr, step);
            run.history.push(Record {
                step,
                params: if self.record_params {
                    x.clone()
                } else {
                    Vec::new()
                },
                loss,
                grad_norm,
                lr,
            });
            run.x.clone_from(&x);
            run.loss = loss;
            run.grad_norm = grad_norm;
            if grad_norm <= self.grad_tol {
                run.stop = Stop::GradTolerance;
                break Ok(());
            }
            if step >= self.max_steps {
                run.stop = Stop::MaxSteps;
                break Ok(());
            }
            if !(lr.is_finite() && lr >= 0.0) {
                break Err(Error::parameter(
                    "scheduled learning rate",
                    lr,
                    "check the schedule",
                ));
            }
            optimizer.set_learning_rate(lr);
            let before = x.clone();
            if let Err(e) = optimizer.step(problem, &mut x, loss, &grad) {
                break Err(e);
            }
            optimizer.set_learning_rate(base_lr);
            if x == before {
                run.stop = Stop::NoProgress;
                break Ok(());
            }
            run.steps += 1;
            let diverged = |l: f64| Error::Diverged {
                step: step + 1,
                loss: l,
                last_finite: loss,
            };
            if x.iter().any(|v| !v.is_finite()) {
                break Err(diverged(f64::NAN));
            }
            match problem.value_and_grad(&x) {
                Ok((l, _)) if !l.is_finite() || l > limit => break Err(diverged(l)),
                Ok((l, g)) => (loss, grad) = (l, g),
                Err(e) => break Err(e),
            }
        };
        if outcome.is_err() {
            run.steps = run.history.len().saturating_sub(1);
        }
        Ok((run, outcome))
    }
}

/// Runs `optimizer` on `problem` from `x0` for at most `max_steps` updates with the default settings.
pub fn minimize(
    problem: &mut dyn Problem,
    optimizer: &mut dyn Optimizer,
    x0: &[f64],
    max_steps: usize,
) -> Result<Run> {
    Minimizer::new(max_steps).run(problem, optimizer, x0)
}
