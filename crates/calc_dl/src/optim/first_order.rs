//! First-order methods with PyTorch's exact update rules and default hyper-parameters
//! (`torch.optim`, without weight decay). Each has an `update(x, grad)` for hand-written loops.

use super::{check_eps, check_len, check_lr, check_unit, state_for, Optimizer, Problem};
use crate::error::Result;

/// Implements [`Optimizer`] for a method whose step is its `update`.
macro_rules! first_order {
    ($t:ty, $name:literal) => {
        impl Optimizer for $t {
            named_with_lr!($name);
            fn step(
                &mut self,
                _problem: &mut dyn Problem,
                x: &mut [f64],
                _loss: f64,
                grad: &[f64],
            ) -> Result<()> {
                self.update(x, grad)
            }
            fn reset(&mut self) {
                *self = self.fresh();
            }
        }
    };
}

/// Plain gradient descent, `x ← x - lr·g`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd {
    pub lr: f64,
}

impl Default for Sgd {
    /// PyTorch's default `lr = 1e-3`.
    fn default() -> Self {
        Sgd { lr: 1e-3 }
    }
}

impl Sgd {
    pub fn new(lr: f64) -> Self {
        Sgd { lr }
    }
    fn fresh(&self) -> Self {
        self.clone()
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_len("Sgd", x, grad)?;
        let lr = self.lr;
        x.iter_mut().zip(grad).for_each(|(x, g)| *x -= lr * g);
        Ok(())
    }
}
first_order!(Sgd, "SGD");

/// Gradient descent with momentum (PyTorch's `SGD(momentum=μ)`): `v ← μ·v + g` (`v = g` on the first
/// step), `x ← x - lr·v`. The velocity carries the run through flat stretches and damps zig-zags.
#[derive(Debug, Clone, PartialEq)]
pub struct Momentum {
    pub lr: f64,
    /// `μ`, 0.9 by default (the common choice; PyTorch's SGD has 0, i.e. no momentum).
    pub momentum: f64,
    velocity: Vec<f64>,
}

impl Default for Momentum {
    fn default() -> Self {
        Momentum::new(1e-3)
    }
}

impl Momentum {
    pub fn new(lr: f64) -> Self {
        Momentum {
            lr,
            momentum: 0.9,
            velocity: Vec::new(),
        }
    }
    pub fn momentum(self, momentum: f64) -> Self {
        Momentum { momentum, ..self }
    }
    fn fresh(&self) -> Self {
        Momentum::new(self.lr).momentum(self.momentum)
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        heavy_ball(self.lr, self.momentum, &mut self.velocity, x, grad, false)
    }
}
first_order!(Momentum, "Momentum");

/// Nesterov momentum (PyTorch's `SGD(momentum=μ, nesterov=True)`): `v ← μ·v + g`, `x ← x - lr·(g + μ·v)`,
/// a look-ahead that brakes before overshooting.
#[derive(Debug, Clone, PartialEq)]
pub struct Nesterov {
    pub lr: f64,
    /// `μ`, 0.9 by default.
    pub momentum: f64,
    velocity: Vec<f64>,
}

impl Default for Nesterov {
    fn default() -> Self {
        Nesterov::new(1e-3)
    }
}

impl Nesterov {
    pub fn new(lr: f64) -> Self {
        Nesterov {
            lr,
            momentum: 0.9,
            velocity: Vec::new(),
        }
    }
    pub fn momentum(self, momentum: f64) -> Self {
        Nesterov { momentum, ..self }
    }
    fn fresh(&self) -> Self {
        Nesterov::new(self.lr).momentum(self.momentum)
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        heavy_ball(self.lr, self.momentum, &mut self.velocity, x, grad, true)
    }
}
first_order!(Nesterov, "Nesterov");

fn heavy_ball(
    lr: f64,
    mu: f64,
    velocity: &mut Vec<f64>,
    x: &mut [f64],
    grad: &[f64],
    nesterov: bool,
) -> Result<()> {
    check_lr(lr)?;
    check_unit("momentum", mu)?;
    check_len("momentum", x, grad)?;
    let first = velocity.is_empty();
    let v = state_for(velocity, x.len(), "momentum")?;
    for ((x, g), v) in x.iter_mut().zip(grad).zip(v.iter_mut()) {
        *v = if first { *g } else { mu * *v + g };
        let d = if nesterov { g + mu * *v } else { *v };
        *x -= lr * d;
    }
    Ok(())
}

/// AdaGrad (PyTorch's defaults `lr = 1e-2`, `eps = 1e-10`): `s ← s + g²`, `x ← x - lr·g / (√s + eps)`.
/// Each coordinate's step shrinks with the gradient it has seen.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaGrad {
    pub lr: f64,
    pub eps: f64,
    sum_sq: Vec<f64>,
}

impl Default for AdaGrad {
    fn default() -> Self {
        AdaGrad::new(1e-2)
    }
}

impl AdaGrad {
    pub fn new(lr: f64) -> Self {
        AdaGrad {
            lr,
            eps: 1e-10,
            sum_sq: Vec::new(),
        }
    }
    pub fn eps(self, eps: f64) -> Self {
        AdaGrad { eps, ..self }
    }
    fn fresh(&self) -> Self {
        AdaGrad::new(self.lr).eps(self.eps)
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_eps("AdaGrad eps", self.eps)?;
        check_len("AdaGrad", x, grad)?;
        let (lr, eps) = (self.lr, self.eps);
        let s = state_for(&mut self.sum_sq, x.len(), "AdaGrad")?;
        for ((x, g), s) in x.iter_mut().zip(grad).zip(s.iter_mut()) {
            *s += g * g;
            *x -= lr * (g / (s.sqrt() + eps)); // torch's addcdiv: lr·(g / std)
        }
        Ok(())
    }
}
first_order!(AdaGrad, "AdaGrad");

/// RMSProp (PyTorch's defaults `lr = 1e-2`, `alpha = 0.99`, `eps = 1e-8`): `s ← α·s + (1-α)·g²`,
/// `x ← x - lr·g / (√s + eps)`: AdaGrad with a memory that fades.
#[derive(Debug, Clone, PartialEq)]
pub struct RmsProp {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    mean_sq: Vec<f64>,
}

impl Default for RmsProp {
    fn default() -> Self {
        RmsProp::new(1e-2)
    }
}

impl RmsProp {
    pub fn new(lr: f64) -> Self {
        RmsProp {
            lr,
            alpha: 0.99,
            eps: 1e-8,
            mean_sq: Vec::new(),
        }
    }
    pub fn alpha(self, alpha: f64) -> Self {
        RmsProp { alpha, ..self }
    }
    fn fresh(&self) -> Self {
        RmsProp {
            mean_sq: Vec::new(),
            ..self.clone()
        }
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_unit("RMSProp alpha", self.alpha)?;
        check_eps("RMSProp eps", self.eps)?;
        check_len("RMSProp", x, grad)?;
        let (lr, a, eps) = (self.lr, self.alpha, self.eps);
        let s = state_for(&mut self.mean_sq, x.len(), "RMSProp")?;
        for ((x, g), s) in x.iter_mut().zip(grad).zip(s.iter_mut()) {
            *s = a * *s + (1.0 - a) * g * g;
            *x -= lr * (g / (s.sqrt() + eps)); // torch's addcdiv: lr·(g / std)
        }
        Ok(())
    }
}
first_order!(RmsProp, "RMSProp");

/// Adam (PyTorch's defaults `lr = 1e-3`, `betas = (0.9, 0.999)`, `eps = 1e-8`): running means of `g` and
/// `g²` with bias correction, `x ← x - (lr / (1-β₁ᵗ))·m / (√v / √(1-β₂ᵗ) + eps)`, in PyTorch's order of
/// floating-point operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Adam {
    pub lr: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub eps: f64,
    t: i32,
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Default for Adam {
    fn default() -> Self {
        Adam::new(1e-3)
    }
}

impl Adam {
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
        }
    }
    pub fn betas(self, beta1: f64, beta2: f64) -> Self {
        Adam {
            beta1,
            beta2,
            ..self
        }
    }
    pub fn eps(self, eps: f64) -> Self {
        Adam { eps, ..self }
    }
    fn fresh(&self) -> Self {
        Adam {
            t: 0,
            m: Vec::new(),
            v: Vec::new(),
            ..self.clone()
        }
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_unit("Adam beta1", self.beta1)?;
        check_unit("Adam beta2", self.beta2)?;
        check_eps("Adam eps", self.eps)?;
        check_len("Adam", x, grad)?;
        let n = x.len();
        state_for(&mut self.m, n, "Adam")?;
        state_for(&mut self.v, n, "Adam")?;
        self.t += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let step_size = self.lr / (1.0 - b1.powi(self.t));
        let bc2_sqrt = (1.0 - b2.powi(self.t)).sqrt();
        for (((x, g), m), v) in x.iter_mut().zip(grad).zip(&mut self.m).zip(&mut self.v) {
            *m += (g - *m) * (1.0 - b1); // torch's lerp
            *v = *v * b2 + (1.0 - b2) * g * g;
            let denom = v.sqrt() / bc2_sqrt + self.eps;
            *x -= step_size * (*m / denom); // torch's addcdiv
        }
        Ok(())
    }
}
first_order!(Adam, "Adam");
