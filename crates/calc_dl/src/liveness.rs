//! The cross-cell rules, written once for both tapes ([`Var`](crate::Var) and
//! [`Tensor`](crate::tensor::Tensor)): which handles still name their node, which tape an op records
//! on, and which gradients would come out partial.
//!
//! In a notebook on the evcxr kernel every cell is compiled as its own crate with its own copy of this
//! one, so each cell that makes inputs has its own thread-local tape, while the values it made live on in
//! later cells. A handle therefore carries a pointer to its tape, ops follow their operands' tape, and
//! three rules keep the gradients honest:
//!
//! 1. **Generations.** A tape is a stack: a scoped gradient ([`grad`](crate::grad),
//!    [`value_and_grad`](crate::value_and_grad), [`tensor::value_and_grad`](crate::tensor::value_and_grad))
//!    and a reset truncate it, and the next nodes reuse the freed indices. Each truncation starts a new
//!    generation; a handle is [`Stamp`]ed with the generation it was recorded in and is live only while
//!    the node at its index is still from that generation. A handle that is not live is a *constant with
//!    its value*, as a detached tensor in PyTorch: ops record nothing for it, and `backward`/`grad` on it
//!    return an error.
//! 2. **Mixed.** An op whose operands are live on two different tapes records on the left one with the
//!    right operand as a constant, and that tape remembers the node: a backward sweep whose gradient
//!    reaches it would miss the right operand's share, so it fails.
//! 3. **Lent.** The right operand's tape remembers that its node was lent: a scoped gradient on that
//!    tape would miss what flowed through the other one, so it fails.

use crate::error::Error;

/// Where a handle was recorded: its index on the tape and the tape's generation at the time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stamp {
    pub(crate) index: u32,
    generation: u32,
}

/// What a tape keeps for the rules above.
#[derive(Debug)]
pub(crate) struct Liveness {
    /// The generation new nodes are recorded in (bumped by every truncation).
    current: u32,
    /// `(first index, generation)` of each run of nodes recorded in one generation, by increasing index
    /// (the first run starts at 0). Nodes are only pushed at the end and only dropped from the end, so
    /// the generations along the tape never decrease, and these runs say the generation of every node.
    runs: Vec<(u32, u32)>,
    /// Nodes that took an operand live on another tape as a constant, by increasing index.
    mixed: Vec<u32>,
    /// Nodes that an op recorded on another tape took as a constant.
    lent: Vec<u32>,
}

impl Liveness {
    pub(crate) fn new() -> Self {
        Liveness {
            current: 0,
            runs: vec![(0, 0)],
            mixed: Vec::new(),
            lent: Vec::new(),
        }
    }

    /// The stamp of a node recorded now at `index`.
    #[inline(always)]
    pub(crate) fn stamp(&self, index: u32) -> Stamp {
        Stamp {
            index,
            generation: self.current,
        }
    }

    /// Whether a handle still names its node on a tape of `len` nodes. A handle of the current
    /// generation has seen no truncation since it was made, so only older ones look up their run.
    #[inline(always)]
    pub(crate) fn is_live(&self, stamp: Stamp, len: usize) -> bool {
        (stamp.index as usize) < len
            && (stamp.generation == self.current || self.made_in(stamp.index) == stamp.generation)
    }

    /// The generation of the node at `index` (on the tape).
    #[cold]
    fn made_in(&self, index: u32) -> u32 {
        let run = self.runs.partition_point(|&(first, _)| first <= index);
        self.runs[run - 1].1
    }

    /// The tape was cut back to `len` nodes: what referred to the dropped ones is forgotten, and the
    /// nodes from `len` on are a new generation. (After 2³² truncations the counter wraps, and a handle
    /// kept that long could name a node again.)
    pub(crate) fn truncate(&mut self, len: usize) {
        self.current = self.current.wrapping_add(1);
        self.runs.retain(|&(first, _)| (first as usize) < len);
        self.runs.push((len as u32, self.current));
        self.mixed.retain(|&m| (m as usize) < len);
        self.lent.retain(|&m| (m as usize) < len);
    }

    /// The nodes that took an operand from another tape as a constant, by increasing index.
    pub(crate) fn mixed(&self) -> &[u32] {
        &self.mixed
    }

    /// Whether a node from `start` on was lent to another tape (a gradient scoped from `start` would
    /// miss what flowed through there).
    pub(crate) fn lent_since(&self, start: usize) -> bool {
        self.lent.iter().any(|&i| i as usize >= start)
    }
}

/// A tape with its [`Liveness`]: both tapes are one, each behind its own cell.
pub(crate) trait Tape: 'static {
    /// Runs `f` on the tape's liveness and its number of nodes.
    fn liveness<R>(&'static self, f: impl FnOnce(&mut Liveness, usize) -> R) -> R;
}

/// A handle's place: its tape (`None` for a constant) and where on it.
pub(crate) struct Place<T: 'static> {
    pub(crate) tape: Option<&'static T>,
    pub(crate) stamp: Stamp,
}

// By hand: a derive would ask `T: Copy`, and the tape is only pointed at.
impl<T> Clone for Place<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Place<T> {}

impl<T: Tape> Place<T> {
    /// A value on no tape.
    pub(crate) const CONSTANT: Self = Place {
        tape: None,
        stamp: Stamp {
            index: 0,
            generation: 0,
        },
    };

    /// The place of a node just recorded at `index` on `tape`.
    #[inline(always)]
    pub(crate) fn new(tape: &'static T, liveness: &Liveness, index: u32) -> Self {
        Place {
            tape: Some(tape),
            stamp: liveness.stamp(index),
        }
    }

    /// The index on the tape.
    #[inline(always)]
    pub(crate) fn index(&self) -> usize {
        self.stamp.index as usize
    }

    /// The tape, if the handle still names its node there (rule 1).
    #[inline(always)]
    pub(crate) fn live(&self) -> Option<&'static T> {
        self.tape
            .filter(|&tape| tape.liveness(|l, len| l.is_live(self.stamp, len)))
    }

    /// The tape, or the error for a handle that cannot `action` (a constant, or no longer live).
    pub(crate) fn checked(&self, kind: Kind, action: &str) -> Result<&'static T, Error> {
        match (self.tape, self.live()) {
            (None, _) => Err(no_grad(kind, action, Why::Constant)),
            (Some(_), None) => Err(no_grad(kind, action, Why::Dropped)),
            (Some(_), Some(tape)) => Ok(tape),
        }
    }
}

/// Which operands of a two-operand op track gradients where it records.
pub(crate) enum Meeting<T: 'static> {
    /// Neither does: the result is a constant.
    Neither,
    Left(&'static T),
    Right(&'static T),
    Both(&'static T),
    /// Both, on two tapes: record on the left one with the right operand as a constant, then
    /// [`mixed`] the node (rule 2). The right operand is already lent (rule 3).
    Apart(&'static T),
}

/// Where an op on `a` and `b` records, by the rules above (the tape of the first live operand).
#[inline(always)]
pub(crate) fn meet<T: Tape>(a: &Place<T>, b: &Place<T>) -> Meeting<T> {
    match (a.live(), b.live()) {
        (None, None) => Meeting::Neither,
        (Some(t), None) => Meeting::Left(t),
        (None, Some(u)) => Meeting::Right(u),
        (Some(t), Some(u)) if std::ptr::eq(t, u) => Meeting::Both(t),
        (Some(t), Some(u)) => {
            u.liveness(|l, _| l.lent.push(b.stamp.index));
            Meeting::Apart(t)
        }
    }
}

/// Remembers that the node at `place` took an operand from another tape as a constant (rule 2).
pub(crate) fn mixed<T: Tape>(place: &Place<T>) {
    if let Some(tape) = place.tape {
        tape.liveness(|l, _| l.mixed.push(place.stamp.index));
    }
}

/// Which handle an error is about, for its words.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Var,
    Tensor,
}

/// Why a handle cannot give a gradient.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Why {
    /// It was made as a constant, or only from constants.
    Constant,
    /// Its node was dropped by a reset or with a finished scoped gradient (rule 1).
    Dropped,
    /// The gradient flows through a node that took an operand from another tape as a constant (rules 2
    /// and 3).
    Mixed,
}

/// The one error of both tapes: why `action` cannot be done, and what to do instead.
pub(crate) fn no_grad(kind: Kind, action: &str, why: Why) -> Error {
    let (ty, noun, inputs, scopes) = match kind {
        Kind::Var => ("Var", "value", "inputs", "grad or value_and_grad"),
        Kind::Tensor => ("Tensor", "tensor", "parameters", "tensor::value_and_grad"),
    };
    Error::NoGrad(match why {
        Why::Constant => format!(
            "cannot {action}: this {noun} does not require grad (it was made with {ty}::constant, PyTorch's \
             requires_grad=False, or computed only from constants); make {inputs} with {ty}::new to track \
             gradients"
        ),
        Why::Dropped => format!(
            "cannot {action}: this {noun} was recorded before {ty}::reset_tape() or inside a finished \
             {scopes}, so it is a constant now; compute it again"
        ),
        Why::Mixed => format!(
            "cannot {action}: the gradient flows through an operation that mixed {noun}s from two different \
             tapes, so some gradients were not recorded. In a notebook each cell that calls {ty}::new starts \
             its own tape: make new {inputs} that meet earlier ones with {ty}::new_like(&earlier, value), or \
             create all {inputs} in one cell, and compute again"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::Liveness;

    #[test]
    fn a_truncation_kills_the_handles_past_it_and_keeps_the_ones_before() {
        let mut l = Liveness::new();
        let (before, inside) = (l.stamp(1), l.stamp(5));
        l.truncate(3); // a scope that started at 3 ends
        let reused = l.stamp(5); // a new node at the same index
        let live = [before, inside, reused].map(|s| l.is_live(s, 6));
        assert_eq!(live, [true, false, true]);
        l.truncate(3);
        l.truncate(0); // a reset
        assert!(!l.is_live(before, 6) && !l.is_live(reused, 6));
        assert!(!l.is_live(l.stamp(0), 0)); // nothing is live on an empty tape
    }
}
