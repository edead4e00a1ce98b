//! Reverse mode: a tape that records every operation on [`Var`]s, and a backward sweep over it.
//!
//! Read it as micrograd's `engine.py`:
//!
//! - [`Var`] is micrograd's `Value`: each op, in its [`Scalar`] impl,
//!   computes its value and its *local derivatives* (`d(a·b)/da = b`, `d(a·b)/db = a`, …, all from
//!   [`crate::ops`]) and records them as one node on the tape;
//! - the tape holds the nodes in order of creation, which is a topological order, so
//!   `backward()` is one loop over them in reverse: each node passes its adjoint times its local
//!   derivatives on to its arguments (the chain rule), with no recursion;
//! - the cross-cell rules (`src/liveness.rs`, shared with the tensor tape) say which handles still
//!   name their node and which gradients would come out partial.
//!
//! A [`Var`] is a small `Copy` handle: the value, its index on the tape and the tape itself, so it can be
//! stored in a notebook variable and used in any function generic over [`Scalar`].
//! Operations follow their operands' tape rather than asking the thread for one: in a notebook on the
//! evcxr kernel every cell carries its own copy of this crate (and of its thread-locals), and a value
//! made in one cell must still back-propagate in the next.
//!
//! ```
//! use calc_dl::prelude::*;
//!
//! let w = Var::new(4.0).named("w");
//! let loss = (w - 3.0).powi(2); // L(w) = (w - 3)²
//! loss.backward()?;
//! assert_eq!(w.grad()?, 2.0); // dL/dw = 2(w - 3) = 2
//!
//! let frozen = Var::constant(4.0); // PyTorch's requires_grad=False
//! assert!((frozen - 3.0).powi(2).backward().is_err());
//! # Ok::<(), calc_dl::Error>(())
//! ```

use crate::error::Result;
use crate::liveness::{self, meet, no_grad, Kind, Liveness, Meeting, Place, Why};
use crate::ops::{Binary, Unary};
use crate::scalar::{impl_scalar_ops, Scalar};
use std::cell::UnsafeCell;
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// What produced a node: the one `match` the graph drawing reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    /// The slot every missing argument points at, so the backward loop needs no branch.
    Sink,
    /// An input created with [`Var::new`].
    Leaf,
    Unary(Unary),
    Binary(Binary),
    /// `c op x`: a binary op whose left argument was a constant.
    ConstLeft(Binary, f64),
    /// `x op c`: a binary op whose right argument was a constant.
    ConstRight(Binary, f64),
}

/// A node as recorded: its arguments with the local partial derivatives, its value and its op.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
    pub(crate) value: f64,
    pub(crate) op: Op,
}

/// An input: no arguments (both point at the sink, with derivative 0).
pub(crate) const LEAF: Node = Node {
    args: [0, 0],
    partials: [0.0, 0.0],
    value: 0.0,
    op: Op::Leaf,
};

/// What the backward sweep reads of a node (24 bytes, so the sweep streams through little memory).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Link {
    pub(crate) args: [u32; 2],
    pub(crate) partials: [f64; 2],
}

/// What only a drawing reads of a node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Info {
    pub(crate) value: f64,
    pub(crate) op: Op,
}

/// The recorded nodes, split by who reads them; node 0 is the sink.
pub(crate) struct Tape {
    pub(crate) links: Vec<Link>,
    pub(crate) info: Vec<Info>,
    /// Gradients accumulated by [`Tape::backward`], one per node (shorter until the first backward).
    pub(crate) grads: Vec<f64>,
    /// Adjoints of the sweep in progress.
    pub(crate) scratch: Vec<f64>,
    pub(crate) names: BTreeMap<u32, String>,
    /// Which handles still name their node, and which nodes met another tape: see [`crate::liveness`].
    pub(crate) liveness: Liveness,
}

/// A tape, shared by every handle that points at it.
pub(crate) type TapeCell = UnsafeCell<Tape>;

thread_local! {
    /// This thread's tape for new inputs. Leaked, so that handles can point at it for as long as they
    /// live (one tape per thread and per copy of the crate, emptied by `Var::reset_tape`).
    static CURRENT: &'static TapeCell = Box::leak(Box::new(UnsafeCell::new(Tape {
        links: vec![Link { args: [0, 0], partials: [0.0, 0.0] }],
        info: vec![Info { value: 0.0, op: Op::Sink }],
        grads: Vec::new(),
        scratch: Vec::new(),
        names: BTreeMap::new(),
        liveness: Liveness::new(),
    })));
}

/// This thread's tape.
pub(crate) fn current() -> &'static TapeCell {
    CURRENT.with(|t| *t)
}

/// Runs `f` with the tape.
#[inline(always)]
pub(crate) fn with_tape<R>(tape: &'static TapeCell, f: impl FnOnce(&mut Tape) -> R) -> R {
    // SAFETY: a tape is only reached from the thread that made it (`Var` is neither Send nor Sync), and
    // every caller (all in this crate, `liveness::Tape` included) passes a closure that only touches the
    // tape: it never runs user code nor reaches a tape again, so no other reference to the tape exists
    // while `f` runs. (A `RefCell` here makes the Rosenbrock gradient of `benches/core.rs` 1.4x slower:
    // its check costs a noticeable share of recording one operation.)
    f(unsafe { &mut *tape.get() })
}

impl liveness::Tape for TapeCell {
    #[inline(always)]
    fn liveness<R>(&'static self, f: impl FnOnce(&mut Liveness, usize) -> R) -> R {
        with_tape(self, |t| {
            let len = t.len();
            f(&mut t.liveness, len)
        })
    }
}

impl Tape {
    /// Records a node and returns its index.
    #[inline(always)]
    pub(crate) fn push(&mut self, node: Node) -> u32 {
        let idx = self.links.len() as u32;
        self.links.push(Link {
            args: node.args,
            partials: node.partials,
        });
        self.info.push(Info {
            value: node.value,
            op: node.op,
        });
        idx
    }

    /// How many nodes are recorded, the sink included.
    pub(crate) fn len(&self) -> usize {
        self.links.len()
    }

    /// The tape indices node `i` was computed from (none for an input, one when the other was a constant).
    pub(crate) fn arguments(&self, i: usize) -> &[u32] {
        let arity = match self.info[i].op {
            Op::Sink | Op::Leaf => 0,
            Op::Binary(_) => 2,
            Op::Unary(_) | Op::ConstLeft(..) | Op::ConstRight(..) => 1,
        };
        &self.links[i].args[..arity]
    }

    /// Fills `scratch[start..=from]` with d(node `from`)/d(node i): each node, latest first, passes its
    /// adjoint times its local derivatives on to its arguments. Arguments below `start` (the sink, or
    /// nodes of an enclosing computation) receive contributions that nobody reads.
    pub(crate) fn sweep(&mut self, from: usize, start: usize) {
        if self.scratch.len() <= from {
            self.scratch.resize(from + 1, 0.0);
        }
        let adj = &mut self.scratch[..=from];
        adj[start..].fill(0.0);
        adj[from] = 1.0;
        for (i, node) in self.links[start..=from].iter().enumerate().rev() {
            let [p, q] = node.args.map(|a| a as usize);
            // Every argument was recorded before its node, so p, q < start + i <= from < adj.len().
            debug_assert!(p < start + i && q < start + i);
            // SAFETY: the indices are in bounds, as above; this loop is the whole cost of backward.
            unsafe {
                let a = *adj.get_unchecked(start + i);
                *adj.get_unchecked_mut(p) += node.partials[0] * a;
                *adj.get_unchecked_mut(q) += node.partials[1] * a;
            }
        }
    }

    /// Whether the last sweep from `from` reached a node that took an operand from another tape as a
    /// constant (that operand's share of the gradient was not recorded).
    pub(crate) fn lost_gradient(&self, start: usize, from: usize) -> bool {
        let mixed = self.liveness.mixed().iter().map(|&m| m as usize);
        mixed
            .filter(|m| (start..=from).contains(m))
            .any(|m| self.scratch[m] != 0.0)
    }

    /// Adds d(node `from`)/d(node) to the gradient of every node, as `loss.backward()` in PyTorch.
    pub(crate) fn backward(&mut self, from: usize) -> Result<()> {
        self.sweep(from, 1);
        if self.lost_gradient(1, from) {
            return Err(no_grad(Kind::Var, "call backward()", Why::Mixed));
        }
        if self.grads.len() < self.len() {
            self.grads.resize(self.len(), 0.0);
        }
        for (g, a) in self.grads[1..=from].iter_mut().zip(&self.scratch[1..=from]) {
            *g += a;
        }
        Ok(())
    }

    /// Truncates the tape back to `len` nodes (what a scoped computation recorded is dropped); the
    /// handles of the dropped nodes are dead from now on, even once new nodes take their indices.
    pub(crate) fn truncate(&mut self, len: usize) {
        let len = len.max(1); // the sink stays
        self.liveness.truncate(len);
        self.links.truncate(len);
        self.info.truncate(len);
        self.grads.truncate(len);
        self.names.split_off(&(len as u32));
    }
}

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

/// Runs `f` on fresh variables for `x` and returns the value and the gradient, dropping what `f` recorded.
pub(crate) fn value_and_grad_scoped<F>(f: F, x: &[f64]) -> Result<(f64, Vec<f64>)>
where
    F: FnOnce(&[Var]) -> Var,
{
    let tape = current();
    let start = with_tape(tape, |t| t.len());
    let inputs: Vec<Var> = x.iter().map(|&value| Var::leaf(tape, value)).collect();
    let y = f(&inputs);
    let from = y
        .live()
        .filter(|&(t, _)| std::ptr::eq(t, tape))
        .map(|(_, from)| from);
    with_tape(tape, |t| {
        // A value of this computation that an operation on another tape took as a constant (a value
        // made in an earlier cell met on the left): what flowed through there is missing.
        let lost = t.liveness.lent_since(start);
        let grads = match from {
            Some(from) if from >= start => {
                t.sweep(from, start);
                // The output may be one of the inputs, recorded before the others.
                (start..start + x.len())
                    .map(|i| if i <= from { t.scratch[i] } else { 0.0 })
                    .collect()
            }
            // The output does not depend on the inputs.
            _ => vec![0.0; x.len()],
        };
        t.truncate(start);
        if lost {
            Err(no_grad(Kind::Var, "compute the gradient", Why::Mixed))
        } else {
            Ok((y.value(), grads))
        }
    })
}
