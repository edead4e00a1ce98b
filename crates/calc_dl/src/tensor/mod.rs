//! Reverse mode on whole arrays: [`Tensor`], a 2-D `f64` array on a tape, as `torch.Tensor` with
//! `requires_grad`.
//!
//! The scalar [`Var`](crate::Var) records one node per multiplication, which is how backpropagation is
//! easiest to see; a [`Tensor`] records one node per *array* operation (a whole matrix product), which is how
//! it is fast. Each node keeps its op and the arrays its backward rule needs (shared, not copied); the
//! backward sweep is one loop in reverse order of creation with one `match` over the ops, as in candle,
//! and no recursion.
//!
//! As with [`Var`](crate::Var), a tensor carries a pointer to its tape and ops follow their operands'
//! tape: in a notebook on the evcxr kernel every cell has its own copy of this crate (and of its
//! thread-locals), and a loss computed in one cell from parameters made in another must still
//! back-propagate to them.
//!
//! Every array is 2-D: a batch of `n` samples with `k` features is `n × k`, a bias is a `1 × k` row that
//! broadcasts over the rows, and a loss is `1 × 1`.
//!
//! ```
//! use calc_dl::prelude::*;
//! use calc_dl::tensor::Tensor;
//!
//! let x = Tensor::constant(array![[1.0, 2.0], [3.0, 4.0]]); // data: no gradient
//! let w = Tensor::new(array![[0.5], [-1.0]]); // a parameter
//! let b = Tensor::new(array![[0.1]]);
//! let loss = x.matmul(&w)?.add(&b)?.relu().mean();
//! loss.backward()?;
//! assert_eq!(w.grad()?, array![[0.0], [0.0]]); // both pre-activations are negative: relu stops the gradient
//! # Ok::<(), calc_dl::Error>(())
//! ```

mod backward;
pub mod loss;
mod ops;
mod tape;

pub use loss::{bce_with_logits, hinge, mse, softmax_cross_entropy};

use crate::error::{Error, Result};
use crate::liveness::{self, meet, no_grad, Kind, Meeting, Place, Why};
use ndarray::{ArcArray2, Array1, Array2};
use std::fmt;
use std::marker::PhantomData;
use tape::{current, with_tape, Input, Op, TapeCell, CONSTANT};

/// A 2-D array of `f64` that may track gradients: a cheap-to-clone handle to a value and its place on this
/// thread's tensor tape.
///
/// A tensor belongs to the thread that made it (as [`Var`](crate::Var)), so it is neither `Send` nor
/// `Sync`; send its [`value`](Tensor::value) instead.
///
/// Ops whose shapes can disagree ([`matmul`](Tensor::matmul), [`add`](Tensor::add), …) return
/// [`Result`]; elementwise functions cannot fail. Gradients accumulate over repeated
/// [`backward`](Tensor::backward) calls until [`zero_grad`](Tensor::zero_grad), as in PyTorch.
#[derive(Clone)]
pub struct Tensor {
    /// The tape the tensor is recorded on (none for a constant) and its id there.
    place: Place<TapeCell>,
    value: ArcArray2<f64>,
    /// A tensor's id refers to its own thread's tape, so it must not move to another thread.
    _thread_local: PhantomData<*const ()>,
}

impl Tensor {
    /// A parameter that tracks gradients (PyTorch's `requires_grad=True`).
    pub fn new(value: impl Into<ArcArray2<f64>>) -> Tensor {
        Tensor::leaf(current(), value.into())
    }

    /// A parameter on the tape `other` was recorded on (this thread's tape when `other` was made as a
    /// constant). In a notebook, a parameter that meets tensors made in an earlier cell must be made
    /// this way.
    pub fn new_like(other: &Tensor, value: impl Into<ArcArray2<f64>>) -> Tensor {
        Tensor::leaf(other.place.tape.unwrap_or_else(current), value.into())
    }

    fn leaf(tape: &'static TapeCell, value: ArcArray2<f64>) -> Tensor {
        Tensor::push(tape, Op::Leaf, value)
    }

    /// Data that does not track gradients: nothing is recorded for it.
    pub fn constant(value: impl Into<ArcArray2<f64>>) -> Tensor {
        Tensor {
            place: Place::CONSTANT,
            value: value.into(),
            _thread_local: PhantomData,
        }
    }

    /// A `1 × n` row from a vector (a parameter when `requires_grad`).
    pub fn row(v: Array1<f64>, requires_grad: bool) -> Tensor {
        let n = v.len();
        let a = v
            .into_shape_with_order((1, n))
            .expect("n elements fit 1 × n");
        Tensor::make(a, requires_grad)
    }

    /// An `n × 1` column from a vector, e.g. the targets of a regression.
    pub fn column(v: Array1<f64>, requires_grad: bool) -> Tensor {
        let n = v.len();
        let a = v
            .into_shape_with_order((n, 1))
            .expect("n elements fit n × 1");
        Tensor::make(a, requires_grad)
    }

    /// A `1 × 1` tensor.
    pub fn scalar(x: f64, requires_grad: bool) -> Tensor {
        Tensor::make(Array2::from_elem((1, 1), x), requires_grad)
    }

    fn make(a: Array2<f64>, requires_grad: bool) -> Tensor {
        if requires_grad {
            Tensor::new(a)
        } else {
            Tensor::constant(a)
        }
    }

    /// The value (shared with the tape: cloning it is cheap).
    pub fn value(&self) -> &ArcArray2<f64> {
        &self.value
    }

    /// `(rows, columns)`.
    pub fn shape(&self) -> (usize, usize) {
        self.value.dim()
    }

    /// The number of a `1 × 1` tensor, such as a loss.
    pub fn item(&self) -> Result<f64> {
        if self.shape() != (1, 1) {
            return Err(Error::shape(
                "Tensor::item",
                "a 1 × 1 tensor",
                shape_str(self.shape()),
            ));
        }
        Ok(self.value[[0, 0]])
    }

    /// Whether gradients flow to this value (not for a constant, nor for a tensor dropped by a reset or
    /// with a finished scoped gradient).
    pub fn requires_grad(&self) -> bool {
        self.place.live().is_some()
    }

    /// Back-propagates from this `1 × 1` value, adding d(self)/d(leaf) to the gradient of every leaf it
    /// depends on.
    pub fn backward(&self) -> Result<()> {
        let tape = self.place.checked(Kind::Tensor, "call backward()")?;
        if self.shape() != (1, 1) {
            return Err(Error::shape(
                "backward",
                "a 1 × 1 output such as a loss (reduce with sum() or mean() first)",
                shape_str(self.shape()),
            ));
        }
        with_tape(tape, |t| t.backward(self.place.index()))
    }

    /// The gradient accumulated by `backward` so far (zeros before the first one reaches this value).
    pub fn grad(&self) -> Result<Array2<f64>> {
        let tape = self.place.checked(Kind::Tensor, "read grad")?;
        let id = self.place.stamp.index;
        Ok(with_tape(tape, |t| t.leaf_grads.get(&id).cloned())
            .unwrap_or_else(|| Array2::zeros(self.shape())))
    }

    /// Sets this value's accumulated gradient back to zero.
    pub fn zero_grad(&self) {
        if let Some(tape) = self.place.live() {
            with_tape(tape, |t| t.leaf_grads.remove(&self.place.stamp.index));
        }
    }

    /// Empties this thread's tensor tape. Tensors made before become stale: using them in ops treats
    /// them as constants, and `backward`/`grad` on them return an error.
    pub fn reset_tape() {
        with_tape(current(), |t| t.truncate(0));
    }

    /// How many nodes this thread's tensor tape holds.
    pub fn tape_len() -> usize {
        with_tape(current(), |t| t.nodes.len())
    }

    /// Bytes the tape holds: the node records plus every array they keep alive (each shared array
    /// counted once per reference, so this is an upper bound).
    pub fn tape_bytes() -> usize {
        with_tape(current(), |t| {
            t.nodes.iter().map(backward::node_bytes).sum()
        })
    }

    /// Appends a node to `tape` and returns its tensor.
    fn push(tape: &'static TapeCell, op: Op, value: ArcArray2<f64>) -> Tensor {
        with_tape(tape, |t| {
            let id = t.push(op, value.clone());
            Tensor {
                place: Place::new(tape, &t.liveness, id),
                value,
                _thread_local: PhantomData,
            }
        })
    }

    /// The argument `self` of an op recorded on a tape where it tracks gradients (`here`) or not.
    fn input(&self, here: bool) -> Input {
        let id = if here {
            self.place.stamp.index
        } else {
            CONSTANT
        };
        Input {
            id,
            value: self.value.clone(),
        }
    }

    /// Records `op(a)` with its value, on `a`'s tape: a constant when `a` does not track gradients.
    pub(crate) fn record_one(
        a: &Tensor,
        value: Array2<f64>,
        op: impl FnOnce(Input) -> Op,
    ) -> Tensor {
        match a.place.live() {
            Some(tape) => Tensor::push(tape, op(a.input(true)), value.into_shared()),
            None => Tensor::constant(value),
        }
    }

    /// Records `op(a, b)` with its value, on the tape of the first argument that tracks gradients (the
    /// rules of [`crate::liveness`]): a constant when neither does.
    pub(crate) fn record_two(
        a: &Tensor,
        b: &Tensor,
        value: Array2<f64>,
        op: impl FnOnce(Input, Input) -> Op,
    ) -> Tensor {
        let (tape, here_a, here_b, apart) = match meet(&a.place, &b.place) {
            Meeting::Neither => return Tensor::constant(value),
            Meeting::Left(t) => (t, true, false, false),
            Meeting::Right(t) => (t, false, true, false),
            Meeting::Both(t) => (t, true, true, false),
            Meeting::Apart(t) => (t, true, false, true),
        };
        let result = Tensor::push(
            tape,
            op(a.input(here_a), b.input(here_b)),
            value.into_shared(),
        );
        if apart {
            liveness::mixed(&result.place);
        }
        result
    }
}

/// `(f(x), ∇f(x))` for a function of several array parameters, by reverse mode. What `f` records is
/// dropped from the tape afterwards, so this can run in a training loop forever.
///
/// ```
/// use calc_dl::prelude::*;
/// use calc_dl::tensor::{self, Tensor};
///
/// let x = Tensor::constant(array![[1.0], [2.0]]);
/// let y = Tensor::constant(array![[3.0], [5.0]]);
/// let (loss, g) = tensor::value_and_grad(&[array![[0.0]], array![[0.0]]], |p| {
///     tensor::mse(&x.matmul(&p[0])?.add(&p[1])?, &y)
/// })?;
/// assert_eq!(loss, 17.0); // (9 + 25) / 2
/// assert_eq!((g[0][[0, 0]], g[1][[0, 0]]), (-13.0, -8.0)); // -(3·1 + 5·2), -(3 + 5)
/// # Ok::<(), calc_dl::Error>(())
/// ```
pub fn value_and_grad<F>(params: &[Array2<f64>], f: F) -> Result<(f64, Vec<Array2<f64>>)>
where
    F: FnOnce(&[Tensor]) -> Result<Tensor>,
{
    let tape = current();
    let start = with_tape(tape, |t| t.nodes.len());
    let leaves: Vec<Tensor> = params
        .iter()
        .map(|p| Tensor::leaf(tape, p.clone().into_shared()))
        .collect();
    let out = f(&leaves);
    let result = out.and_then(|y| {
        if y.shape() != (1, 1) {
            return Err(Error::shape(
                "tensor::value_and_grad: output of f",
                "a 1 × 1 loss",
                shape_str(y.shape()),
            ));
        }
        let value = y.value[[0, 0]];
        let from = y
            .place
            .live()
            .filter(|&t| std::ptr::eq(t, tape))
            .map(|_| y.place.index());
        let grads = with_tape(tape, |t| {
            // A tensor of this computation that an op on another tape took as a constant (a tensor
            // made in an earlier cell met first): what flowed through there is missing.
            if t.liveness.lent_since(start) {
                return Err(no_grad(Kind::Tensor, "compute the gradient", Why::Mixed));
            }
            Ok(match from {
                Some(id) if id >= start => {
                    let (mut g, _) = backward::sweep(&t.nodes, id, start, &[]);
                    leaves
                        .iter()
                        .map(|l| {
                            g[l.place.index() - start]
                                .take()
                                .unwrap_or_else(|| Array2::zeros(l.shape()))
                        })
                        .collect()
                }
                _ => leaves.iter().map(|l| Array2::zeros(l.shape())).collect(),
            })
        })?;
        Ok((value, grads))
    });
    with_tape(tape, |t| t.truncate(start));
    result
}

pub(crate) fn shape_str((r, c): (usize, usize)) -> String {
    format!("{r} × {c}")
}

impl fmt::Debug for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match self.place.tape {
            None => "constant".to_string(),
            Some(_) => format!("#{}", self.place.index()),
        };
        write!(f, "Tensor({tag}, {:?})", self.value)
    }
}

impl fmt::Display for Tensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}
