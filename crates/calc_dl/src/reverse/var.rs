//! [`Var`], a handle to a node on the tape, and its [`Scalar`] impl: each op computes its value and its
//! local derivatives and records them as a node; that is all the backward sweep needs.

use super::tape::{current, with_tape, Node, Op, TapeCell, LEAF};
use crate::error::Result;
use crate::liveness::{self, meet, Kind, Meeting, Place};
use crate::ops::{Binary, Unary};
use crate::scalar::{impl_scalar_ops, Scalar};
use std::fmt;
use std::marker::PhantomData;

/// A reverse-mode variable: a value plus its place on a tape.
///
/// Make inputs with [`Var::new`], compute with them as with `f64`, call [`backward`](Var::backward) on
/// the scalar result and read each input's [`grad`](Var::grad). Gradients accumulate over repeated
/// `backward` calls until [`zero_grad`](Var::zero_grad), as in PyTorch.
///
/// A value recorded before [`Var::reset_tape`] or inside a finished [`grad`](crate::grad) or
/// [`value_and_grad`](crate::value_and_grad) is a constant with its value from then on (PyTorch's
/// detached tensor): arithmetic on it records nothing, and `backward`/`grad` on it return an error.
///
/// A `Var` belongs to the thread that made it, so it is neither `Send` nor `Sync`.
#[derive(Clone, Copy)]
pub struct Var {
    place: Place<TapeCell>,
    value: f64,
    _thread_local: PhantomData<*const ()>,
}

impl Var {
    /// A new input that tracks gradients (PyTorch's `requires_grad=True`), on this thread's tape.
    pub fn new(value: f64) -> Self {
        Var::leaf(current(), value)
    }

    /// A new input on the tape `other` was recorded on (an `other` made as a constant gives a plain
    /// [`Var::new`]).
    ///
    /// In a notebook each cell that calls [`Var::new`] records on a tape of its own; to combine a new input
    /// with values made in an earlier cell, make it with `Var::new_like(&earlier, value)`.
    pub fn new_like(other: &Var, value: f64) -> Self {
        Var::leaf(other.place.tape.unwrap_or_else(current), value)
    }

    pub(crate) fn leaf(tape: &'static TapeCell, value: f64) -> Self {
        Var::record(tape, Node { value, ..LEAF })
    }

    /// A value that does not track gradients (PyTorch's `requires_grad=False`): nothing is recorded for it.
    pub fn constant(value: f64) -> Self {
        Var {
            place: Place::CONSTANT,
            value,
            _thread_local: PhantomData,
        }
    }

    /// The value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Whether gradients flow to this value (not for a constant, nor for a value dropped by a reset or
    /// with a finished scoped gradient).
    pub fn requires_grad(&self) -> bool {
        self.place.live().is_some()
    }

    /// The tape and index of a value that still names its node.
    pub(crate) fn live(&self) -> Option<(&'static TapeCell, usize)> {
        Some((self.place.live()?, self.place.index()))
    }

    /// Gives the value a name, shown in drawings of the computation graph.
    pub fn named(self, name: &str) -> Self {
        if let Some((tape, i)) = self.live() {
            with_tape(tape, |t| t.names.insert(i as u32, name.to_string()));
        }
        self
    }

    /// Back-propagates from this value: adds d(self)/d(node) to the gradient of every node it depends on.
    pub fn backward(&self) -> Result<()> {
        let tape = self.place.checked(Kind::Var, "call backward()")?;
        with_tape(tape, |t| t.backward(self.place.index()))
    }

    /// The gradient accumulated by `backward` calls so far (0 before the first one reaches this value).
    pub fn grad(&self) -> Result<f64> {
        let tape = self.place.checked(Kind::Var, "read grad")?;
        let i = self.place.index();
        Ok(with_tape(tape, |t| t.grads.get(i).copied().unwrap_or(0.0)))
    }

    /// Sets this value's accumulated gradient back to 0.
    pub fn zero_grad(&self) {
        if let Some((tape, i)) = self.live() {
            with_tape(tape, |t| {
                if let Some(g) = t.grads.get_mut(i) {
                    *g = 0.0;
                }
            });
        }
    }

    /// Empties this thread's tape. Handles made before are constants afterwards: using them in
    /// arithmetic records nothing, and `backward`/`grad` on them return an error.
    pub fn reset_tape() {
        with_tape(current(), |t| t.truncate(1));
    }

    /// How many nodes this thread's tape holds.
    pub fn tape_len() -> usize {
        with_tape(current(), |t| t.len() - 1)
    }

    /// Appends `node` to `tape` and returns its handle.
    #[inline(always)]
    fn record(tape: &'static TapeCell, node: Node) -> Var {
        with_tape(tape, |t| {
            let index = t.push(node);
            Var {
                place: Place::new(tape, &t.liveness, index),
                value: node.value,
                _thread_local: PhantomData,
            }
        })
    }
}

impl Scalar for Var {
    #[inline]
    fn constant(c: f64) -> Self {
        Var::constant(c)
    }

    #[inline]
    fn value(&self) -> f64 {
        self.value
    }

    /// `op(x)`, recorded with `d op(x)/dx`.
    #[inline(always)]
    fn unary(self, op: Unary) -> Self {
        let Some(tape) = self.place.live() else {
            return Var::constant(op.value(self.value));
        };
        // Derivatives are computed here, where `op` is usually a constant the compiler folds, and only
        // the finished node crosses into the tape.
        let (value, d1, _) = op.derivs(self.value);
        let node = Node {
            args: [self.place.stamp.index, 0],
            partials: [d1, 0.0],
            value,
            op: Op::Unary(op),
        };
        Var::record(tape, node)
    }

    /// `a op b`, recorded with `d/da` and `d/db` for the operands that track gradients on its tape.
    #[inline(always)]
    fn binary(self, rhs: Self, op: Binary) -> Self {
        let d = op.derivs(self.value, rhs.value);
        let [a, b] = [self.place.stamp.index, rhs.place.stamp.index];
        let node = |args, partials, op| Node {
            args,
            partials,
            value: d.value,
            op,
        };
        // Both operands on the tape, or only one (the other is a constant there).
        let both = node([a, b], d.d1, Op::Binary(op));
        let left = node([a, 0], [d.d1[0], 0.0], Op::ConstRight(op, rhs.value));
        let right = node([b, 0], [d.d1[1], 0.0], Op::ConstLeft(op, self.value));
        match meet(&self.place, &rhs.place) {
            Meeting::Neither => Var::constant(d.value),
            Meeting::Left(t) => Var::record(t, left),
            Meeting::Right(t) => Var::record(t, right),
            Meeting::Both(t) => Var::record(t, both),
            Meeting::Apart(t) => {
                let v = Var::record(t, left);
                liveness::mixed(&v.place);
                v
            }
        }
    }
}
impl_scalar_ops!(Var);

impl PartialEq for Var {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl PartialOrd for Var {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place.tape {
            None => write!(f, "Var({}, constant)", self.value),
            Some(_) => write!(f, "Var({}, #{})", self.value, self.place.index()),
        }
    }
}

impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}
