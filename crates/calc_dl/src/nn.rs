//! Layers and models: [`Linear`] and [`Mlp`], with seeded initialisation, a forward pass on the tensor
//! tape for speed and one generic over [`Scalar`] for the micrograd way (one [`Var`](crate::Var) per
//! weight).
//!
//! The 100-layer experiment of notebooks 01 and 04: the gradient reaching the first layers of a deep
//! sigmoid stack vanishes, while relu with He initialisation keeps it alive.
//!
//! ```
//! use calc_dl::prelude::*;
//! use calc_dl::nn::{Activation, Init, Mlp};
//! use calc_dl::tensor::Tensor;
//!
//! let x = Tensor::constant(Array2::from_elem((8, 64), 0.5));
//! let norms = |act, init| -> calc_dl::Result<Vec<f64>> {
//!     let net = Mlp::new(&[64; 101], act, init, 0)?; // 100 × Linear(64, 64)
//!     let (_, grads) = net.value_and_grad(&x, |out| Ok(out.mean()))?;
//!     Ok(Mlp::layer_grad_norms(&grads))
//! };
//! let sigmoid = norms(Activation::Sigmoid, Init::PyTorch)?;
//! let relu_he = norms(Activation::Relu, Init::HeNormal)?;
//! assert!(sigmoid[0] < 1e-20 * sigmoid[99]); // vanished on the way down
//! assert!(relu_he[0] > 1e-3 * relu_he[99]); // still there
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::optim::{Minimizer, Optimizer, Problem, Run};
use crate::scalar::Scalar;
use crate::tensor::{self, shape_str, Tensor};
use ndarray::{Array2, ArrayView2};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Uniform};

/// The function applied after every hidden layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Sigmoid,
    Tanh,
    Relu,
}

impl Activation {
    /// On a tensor.
    pub fn tensor(self, x: &Tensor) -> Tensor {
        match self {
            Activation::Identity => x.clone(),
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.relu(),
        }
    }

    /// On one number of any [`Scalar`] type.
    pub fn scalar<S: Scalar>(self, x: S) -> S {
        match self {
            Activation::Identity => x,
            Activation::Sigmoid => x.sigmoid(),
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.relu(),
        }
    }
}

/// How a layer's weights are drawn (`fan_in` inputs, `fan_out` outputs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// PyTorch's default for `nn.Linear`: weights and biases `U(-1/√fan_in, 1/√fan_in)`.
    PyTorch,
    /// Weights `U(-a, a)`, biases 0.
    Uniform(f64),
    /// Weights `N(0, std²)`, biases 0.
    Normal(f64),
    /// Glorot/Xavier uniform, `U(-a, a)` with `a = √(6 / (fan_in + fan_out))`, biases 0: keeps the variance
    /// of activations and gradients for tanh and sigmoid-like units.
    Xavier,
    /// He/Kaiming normal, `N(0, 2 / fan_in)`, biases 0: keeps the variance through relu, which zeroes half.
    HeNormal,
}

impl Init {
    /// Draws a weight matrix and a bias row.
    fn draw(
        self,
        fan_in: usize,
        fan_out: usize,
        rng: &mut impl Rng,
    ) -> Result<(Array2<f64>, Array2<f64>)> {
        let fi = fan_in as f64;
        let zeros = Array2::zeros((1, fan_out));
        Ok(match self {
            Init::PyTorch => {
                let u = uniform(1.0 / fi.sqrt())?;
                let w = sample((fan_in, fan_out), &u, rng);
                (w, sample((1, fan_out), &u, rng))
            }
            Init::Uniform(a) => (sample((fan_in, fan_out), &uniform(a)?, rng), zeros),
            Init::Normal(s) => (sample((fan_in, fan_out), &normal(s)?, rng), zeros),
            Init::Xavier => {
                let u = uniform((6.0 / (fi + fan_out as f64)).sqrt())?;
                (sample((fan_in, fan_out), &u, rng), zeros)
            }
            Init::HeNormal => {
                let n = normal((2.0 / fi).sqrt())?;
                (sample((fan_in, fan_out), &n, rng), zeros)
            }
        })
    }
}

fn bad_scale(v: f64) -> Error {
    Error::parameter(
        "Init scale",
        v,
        "the spread of the initial weights must be finite and > 0",
    )
}

fn uniform(a: f64) -> Result<Uniform<f64>> {
    if !(a.is_finite() && a > 0.0) {
        return Err(bad_scale(a));
    }
    Uniform::new_inclusive(-a, a).map_err(|_| bad_scale(a))
}

fn normal(s: f64) -> Result<Normal<f64>> {
    if !(s.is_finite() && s > 0.0) {
        return Err(bad_scale(s));
    }
    Normal::new(0.0, s).map_err(|_| bad_scale(s))
}

fn sample(shape: (usize, usize), d: &impl Distribution<f64>, rng: &mut impl Rng) -> Array2<f64> {
    Array2::from_shape_simple_fn(shape, || d.sample(rng))
}

/// A fully connected layer `x · W + b`: `W` is `fan_in × fan_out`, `b` a `1 × fan_out` row, so a batch
/// of samples is the rows of `x`.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub w: Array2<f64>,
    pub b: Array2<f64>,
}

impl Linear {
    /// A layer with weights drawn by `init` from `rng`.
    pub fn new(fan_in: usize, fan_out: usize, init: Init, rng: &mut impl Rng) -> Result<Linear> {
        if fan_in == 0 || fan_out == 0 {
            return Err(Error::empty(format!(
                "Linear({fan_in}, {fan_out}): a layer needs at least one input and one output"
            )));
        }
        let (w, b) = init.draw(fan_in, fan_out, rng)?;
        Ok(Linear { w, b })
    }

    /// A layer drawn from a ChaCha8 generator seeded with `seed`, for a notebook without its own `rand`.
    ///
    /// ```
    /// use calc_dl::prelude::*;
    /// let layer = Linear::seeded(2, 1, Init::Xavier, 42)?;
    /// let x = Tensor::constant(array![[1.0, 2.0]]);
    /// let (w, b) = (Tensor::new(layer.w.clone()), Tensor::new(layer.b.clone()));
    /// Linear::apply(&x, &w, &b)?.sum().backward()?;
    /// assert_eq!(w.grad()?, array![[1.0], [2.0]]); // d(x·w + b)/dw = xᵀ
    /// # Ok::<(), calc_dl::Error>(())
    /// ```
    pub fn seeded(fan_in: usize, fan_out: usize, init: Init, seed: u64) -> Result<Linear> {
        Linear::new(fan_in, fan_out, init, &mut ChaCha8Rng::seed_from_u64(seed))
    }

    /// `x · w + b` on the tape, with the weights passed as tensors (parameters or constants).
    pub fn apply(x: &Tensor, w: &Tensor, b: &Tensor) -> Result<Tensor> {
        x.matmul(w)?.add(b)
    }

    /// `(fan_in, fan_out)`.
    pub fn shape(&self) -> (usize, usize) {
        self.w.dim()
    }
}

/// A multi-layer perceptron: [`Linear`] layers with an [`Activation`] after each but the last.
#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    pub layers: Vec<Linear>,
    pub activation: Activation,
}

impl Mlp {
    /// An MLP with layer widths `sizes` (`[2, 16, 16, 1]`: 2 inputs, two hidden layers of 16, 1 output),
    /// weights drawn by `init` from a generator seeded with `seed` (ChaCha8: the same on every machine).
    pub fn new(sizes: &[usize], activation: Activation, init: Init, seed: u64) -> Result<Mlp> {
        if sizes.len() < 2 {
            return Err(Error::shape(
                "Mlp::new: sizes",
                "at least two widths (inputs and outputs)",
                format!("{} widths", sizes.len()),
            ));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let layers = sizes
            .windows(2)
            .map(|w| Linear::new(w[0], w[1], init, &mut rng))
            .collect::<Result<_>>()?;
        Ok(Mlp { layers, activation })
    }

    /// Number of inputs.
    pub fn inputs(&self) -> usize {
        self.layers[0].w.nrows()
    }

    /// Number of outputs.
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].w.ncols()
    }

    /// The parameters as arrays, in order `W₀, b₀, W₁, b₁, …`: what [`tensor::value_and_grad`] takes.
    pub fn param_arrays(&self) -> Vec<Array2<f64>> {
        self.layers
            .iter()
            .flat_map(|l| [l.w.clone(), l.b.clone()])
            .collect()
    }

    /// How many numbers the parameters hold.
    pub fn num_params(&self) -> usize {
        self.layers.iter().map(|l| l.w.len() + l.b.len()).sum()
    }

    /// All parameters in one vector, in the order of [`param_arrays`](Mlp::param_arrays), each array
    /// row by row: what an [`Optimizer`](crate::optim::Optimizer) updates.
    pub fn params(&self) -> Vec<f64> {
        let mut p = Vec::with_capacity(self.num_params());
        for l in &self.layers {
            p.extend(l.w.iter());
            p.extend(l.b.iter());
        }
        p
    }

    /// Sets every parameter from one vector laid out as [`params`](Mlp::params).
    pub fn set_params(&mut self, p: &[f64]) -> Result<()> {
        if p.len() != self.num_params() {
            return Err(Error::shape(
                "Mlp::set_params",
                format!("{} parameters", self.num_params()),
                format!("{} values", p.len()),
            ));
        }
        let mut rest = p;
        for l in &mut self.layers {
            for a in [&mut l.w, &mut l.b] {
                let (head, tail) = rest.split_at(a.len());
                a.iter_mut().zip(head).for_each(|(x, v)| *x = *v);
                rest = tail;
            }
        }
        Ok(())
    }

    /// Concatenates per-array gradients (from [`value_and_grad`](Mlp::value_and_grad)) into one vector
    /// laid out as [`params`](Mlp::params).
    pub fn flatten(grads: &[Array2<f64>]) -> Vec<f64> {
        grads.iter().flat_map(|g| g.iter().copied()).collect()
    }

    /// The forward pass on the tape with the parameters given as tensors (`W₀, b₀, W₁, b₁, …`).
    pub fn forward_with(&self, params: &[Tensor], x: &Tensor) -> Result<Tensor> {
        if params.len() != 2 * self.layers.len() {
            return Err(Error::shape(
                "Mlp::forward_with: params",
                format!(
                    "{} tensors (a weight and a bias per layer)",
                    2 * self.layers.len()
                ),
                format!("{} tensors", params.len()),
            ));
        }
        let last = self.layers.len() - 1;
        let mut h = x.clone();
        for (i, wb) in params.chunks(2).enumerate() {
            h = Linear::apply(&h, &wb[0], &wb[1])?;
            if i < last {
                h = self.activation.tensor(&h);
            }
        }
        Ok(h)
    }

    /// The outputs for a batch (rows of `x`), with no gradient tracking.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        let params: Vec<Tensor> = self
            .param_arrays()
            .into_iter()
            .map(Tensor::constant)
            .collect();
        let out = self.forward_with(&params, &Tensor::constant(x.to_owned()))?;
        Ok(out.value().to_owned())
    }

    /// The loss and its gradient with respect to every parameter array (`W₀, b₀, …`), by the tensor
    /// tape; what `loss` records is dropped afterwards.
    pub fn value_and_grad(
        &self,
        x: &Tensor,
        loss: impl FnOnce(&Tensor) -> Result<Tensor>,
    ) -> Result<(f64, Vec<Array2<f64>>)> {
        if x.shape().1 != self.inputs() {
            return Err(Error::shape(
                "Mlp input",
                format!("{} columns (one per input)", self.inputs()),
                shape_str(x.shape()),
            ));
        }
        tensor::value_and_grad(&self.param_arrays(), |p| loss(&self.forward_with(p, x)?))
    }

    /// The norm of each layer's weight gradient, first layer first: how much signal reaches each depth.
    pub fn layer_grad_norms(grads: &[Array2<f64>]) -> Vec<f64> {
        grads
            .iter()
            .step_by(2)
            .map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt())
            .collect()
    }

    /// The forward pass for one sample on any [`Scalar`] type, with the parameters as one slice laid out
    /// as [`params`](Mlp::params): with [`Var`](crate::Var) this is micrograd's way, one tape node per
    /// multiply and add.
    pub fn forward_scalar<S: Scalar>(&self, params: &[S], x: &[S]) -> Result<Vec<S>> {
        if params.len() != self.num_params() {
            return Err(Error::shape(
                "Mlp::forward_scalar: params",
                format!("{} parameters", self.num_params()),
                format!("{} values", params.len()),
            ));
        }
        if x.len() != self.inputs() {
            return Err(Error::shape(
                "Mlp::forward_scalar: input",
                format!("{} values", self.inputs()),
                format!("{} values", x.len()),
            ));
        }
        let last = self.layers.len() - 1;
        let mut h: Vec<S> = x.to_vec();
        let mut offset = 0;
        for (i, l) in self.layers.iter().enumerate() {
            let (fan_in, fan_out) = l.shape();
            let w = &params[offset..offset + fan_in * fan_out];
            let b = &params[offset + fan_in * fan_out..offset + fan_in * fan_out + fan_out];
            offset += fan_in * fan_out + fan_out;
            h = (0..fan_out)
                .map(|j| {
                    let mut acc = b[j];
                    for (k, &hk) in h.iter().enumerate() {
                        acc += hk * w[k * fan_out + j];
                    }
                    if i < last {
                        self.activation.scalar(acc)
                    } else {
                        acc
                    }
                })
                .collect();
        }
        Ok(h)
    }
}

/// The loss a model is trained on; targets are an `n × outputs` array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loss {
    /// Regression: [`tensor::mse`].
    Mse,
    /// Two classes, targets 0/1, one output (a logit): [`tensor::bce_with_logits`].
    BceWithLogits,
    /// Two classes, targets ±1, one output (a score): [`tensor::hinge`].
    Hinge,
    /// k classes, one output per class, targets an `n × 1` column of class indices:
    /// [`tensor::softmax_cross_entropy`].
    SoftmaxCrossEntropy,
}

impl Loss {
    /// The loss of outputs `out` against `targets`, on the tape.
    pub fn apply(self, out: &Tensor, targets: &Tensor) -> Result<Tensor> {
        match self {
            Loss::Mse => tensor::mse(out, targets),
            Loss::BceWithLogits => tensor::bce_with_logits(out, targets.value().view()),
            Loss::Hinge => tensor::hinge(out, targets),
            Loss::SoftmaxCrossEntropy => {
                let labels = targets
                    .value()
                    .iter()
                    .map(|&v| {
                        if v >= 0.0 && v.fract() == 0.0 {
                            Ok(v as usize)
                        } else {
                            Err(Error::parameter(
                                "a class label",
                                v,
                                "softmax cross-entropy targets are class indices 0, 1, 2, …",
                            ))
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                tensor::softmax_cross_entropy(out, &labels)
            }
        }
    }
}

/// A model's loss on a fixed batch as a [`Problem`] over its flat parameter vector, so every optimizer
/// (L-BFGS included) can train it.
pub struct ModelProblem {
    net: Mlp,
    x: Tensor,
    y: Tensor,
    loss: Loss,
}

impl ModelProblem {
    /// Checks the batch (non-empty, finite, rows matching) once, up front.
    pub fn new(net: &Mlp, x: Array2<f64>, y: Array2<f64>, loss: Loss) -> Result<ModelProblem> {
        if x.nrows() == 0 {
            return Err(Error::empty("the training inputs"));
        }
        if x.ncols() != net.inputs() {
            return Err(Error::shape(
                "training inputs",
                format!("{} columns (the model's inputs)", net.inputs()),
                shape_str(x.dim()),
            ));
        }
        if y.nrows() != x.nrows() {
            return Err(Error::shape(
                "training targets",
                format!("{} rows, one per input row", x.nrows()),
                shape_str(y.dim()),
            ));
        }
        for (what, a) in [("x", &x), ("y", &y)] {
            if let Some(((i, j), v)) = a.indexed_iter().find(|(_, v)| !v.is_finite()) {
                return Err(Error::non_finite(format!("training {what}[{i}, {j}]"), *v));
            }
        }
        Ok(ModelProblem {
            net: net.clone(),
            x: Tensor::constant(x),
            y: Tensor::constant(y),
            loss,
        })
    }
}

impl Problem for ModelProblem {
    fn value(&mut self, p: &[f64]) -> Result<f64> {
        self.net.set_params(p)?;
        let params: Vec<Tensor> = self
            .net
            .param_arrays()
            .into_iter()
            .map(Tensor::constant)
            .collect();
        self.loss
            .apply(&self.net.forward_with(&params, &self.x)?, &self.y)?
            .item()
    }
    fn value_and_grad(&mut self, p: &[f64]) -> Result<(f64, Vec<f64>)> {
        self.net.set_params(p)?;
        let (loss, y) = (self.loss, &self.y);
        let (v, g) = self.net.value_and_grad(&self.x, |out| loss.apply(out, y))?;
        Ok((v, Mlp::flatten(&g)))
    }
}

impl Mlp {
    /// Trains on the batch `(x, y)` (full batch) with `optimizer`, leaves the final parameters in the
    /// model and returns the run's history (turn off the minimizer's `record_params` for big models).
    pub fn fit(
        &mut self,
        x: Array2<f64>,
        y: Array2<f64>,
        loss: Loss,
        optimizer: &mut dyn Optimizer,
        minimizer: &Minimizer,
    ) -> Result<Run> {
        let mut problem = ModelProblem::new(self, x, y, loss)?;
        let run = minimizer.run(&mut problem, optimizer, &self.params())?;
        self.set_params(&run.x)?;
        Ok(run)
    }
}
