//! First-order methods with PyTorch's exact update rules and default hyper-parameters
//! (`torch.optim`, without weight decay). Each has an `update(x, grad)` for hand-written loops.

use super::{check_eps, check_len, check_lr, check_unit, state_for, Optimizer, Problem};
use crate::error::Result;

/// Implements [`Optimizer`] for a method whose step is its `update` and whose `reset` empties the
/// listed state fields, and `Default` as `new` with PyTorch's default learning rate.
macro_rules! first_order {
    ($t:ty, $name:expr, lr = $lr:literal, state = [$($state:ident),*] $(, const $n:ident)?) => {
        impl$(<const $n: bool>)? Default for $t {
            #[doc = concat!("`new` with PyTorch's default learning rate, `lr = ", stringify!($lr), "`.")]
            fn default() -> Self {
                Self::new($lr)
            }
        }
        impl$(<const $n: bool>)? Optimizer for $t {
            named_with_lr!($name);
            fn step(&mut self, _: &mut dyn Problem, x: &mut [f64], _: f64, grad: &[f64]) -> Result<()> {
                self.update(x, grad)
            }
            fn reset(&mut self) {
                $(self.$state = Default::default();)*
            }
        }
    };
}

/// Plain gradient descent, `x ← x - lr·g`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd {
    pub lr: f64,
}

impl Sgd {
    pub fn new(lr: f64) -> Self {
        Sgd { lr }
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_len("Sgd", x, grad)?;
        let lr = self.lr;
        x.iter_mut().zip(grad).for_each(|(x, g)| *x -= lr * g);
        Ok(())
    }
}
first_order!(Sgd, "SGD", lr = 1e-3, state = []);

/// Gradient descent with momentum (PyTorch's `SGD(momentum=μ)`): `v ← μ·v + g` (`v = g` on the first
/// step), `x ← x - lr·v`. The velocity carries the run through flat stretches and damps zig-zags.
pub type Momentum = HeavyBall<false>;

/// Nesterov momentum (PyTorch's `SGD(momentum=μ, nesterov=True)`): `v ← μ·v + g`, `x ← x - lr·(g + μ·v)`,
/// a look-ahead that brakes before overshooting.
pub type Nesterov = HeavyBall<true>;

/// The two momentum methods, [`Momentum`] and [`Nesterov`]: one velocity, and `NESTEROV` says whether
/// the step looks ahead along it.
#[derive(Debug, Clone, PartialEq)]
pub struct HeavyBall<const NESTEROV: bool> {
    pub lr: f64,
    /// `μ`, 0.9 by default (the common choice; PyTorch's SGD has 0, i.e. no momentum).
    pub momentum: f64,
    velocity: Vec<f64>,
}

impl<const NESTEROV: bool> HeavyBall<NESTEROV> {
    pub fn new(lr: f64) -> Self {
        HeavyBall {
            lr,
            momentum: 0.9,
            velocity: Vec::new(),
        }
    }
    pub fn momentum(self, momentum: f64) -> Self {
        HeavyBall { momentum, ..self }
    }
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        let (lr, mu) = (self.lr, self.momentum);
        check_lr(lr)?;
        check_unit("momentum", mu)?;
        check_len("momentum", x, grad)?;
        let first = self.velocity.is_empty();
        let v = state_for(&mut self.velocity, x.len(), "momentum")?;
        for ((x, g), v) in x.iter_mut().zip(grad).zip(v.iter_mut()) {
            *v = if first { *g } else { mu * *v + g };
            let d = if NESTEROV { g + mu * *v } else { *v };
            *x -= lr * d;
        }
        Ok(())
    }
}
first_order!(
    HeavyBall<NESTEROV>,
    if NESTEROV { "Nesterov" } else { "Momentum" },
    lr = 1e-3,
    state = [velocity],
    const NESTEROV
);

/// AdaGrad (PyTorch's defaults `lr = 1e-2`, `eps = 1e-10`): `s ← s + g²`, `x ← x - lr·g / (√s + eps)`.
/// Each coordinate's step shrinks with the gradient it has seen.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaGrad {
    pub lr: f64,
    pub eps: f64,
    sum_sq: Vec<f64>,
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
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_eps("AdaGrad eps", self.eps)?;
        let rule = Rms {
            lr: self.lr,
            eps: self.eps,
            decay: 1.0,
            weight: 1.0,
        };
        rule.step("AdaGrad", &mut self.sum_sq, x, grad)
    }
}
first_order!(AdaGrad, "AdaGrad", lr = 1e-2, state = [sum_sq]);

/// RMSProp (PyTorch's defaults `lr = 1e-2`, `alpha = 0.99`, `eps = 1e-8`): `s ← α·s + (1-α)·g²`,
/// `x ← x - lr·g / (√s + eps)`: AdaGrad with a memory that fades.
#[derive(Debug, Clone, PartialEq)]
pub struct RmsProp {
    pub lr: f64,
    pub alpha: f64,
    pub eps: f64,
    mean_sq: Vec<f64>,
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
    pub fn update(&mut self, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_lr(self.lr)?;
        check_unit("RMSProp alpha", self.alpha)?;
        check_eps("RMSProp eps", self.eps)?;
        let a = self.alpha;
        let rule = Rms {
            lr: self.lr,
            eps: self.eps,
            decay: a,
            weight: 1.0 - a,
        };
        rule.step("RMSProp", &mut self.mean_sq, x, grad)
    }
}
first_order!(RmsProp, "RMSProp", lr = 1e-2, state = [mean_sq]);

/// The step AdaGrad and RMSProp share: `s ← decay·s + weight·g²`, then `x ← x - lr·g / (√s + eps)`;
/// AdaGrad sums (`decay = weight = 1`), RMSProp averages (`α`, `1 - α`).
struct Rms {
    lr: f64,
    eps: f64,
    decay: f64,
    weight: f64,
}

impl Rms {
    fn step(&self, what: &str, s: &mut Vec<f64>, x: &mut [f64], grad: &[f64]) -> Result<()> {
        check_len(what, x, grad)?;
        let s = state_for(s, x.len(), what)?;
        for ((x, g), s) in x.iter_mut().zip(grad).zip(s.iter_mut()) {
            *s = self.decay * *s + self.weight * g * g;
            *x -= self.lr * (g / (s.sqrt() + self.eps)); // torch's addcdiv: lr·(g / std)
        }
        Ok(())
    }
}

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
first_order!(Adam, "Adam", lr = 1e-3, state = [t, m, v]);
