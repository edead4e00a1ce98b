//! Bad input returns a typed error that says what was wrong; it never panics.

use calc_dl::prelude::*;

#[test]
fn non_finite_points_are_rejected_everywhere() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            derivative(|x| x * x, bad),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            second_derivative(|x| x * x, bad),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            grad(|v| v[0] * v[1], &[1.0, bad]),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            hessian(|v| v[0] * v[0], &[bad]),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            jacobian(|v| v.to_vec(), &[bad]),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            taylor(|x| x.sin(), bad, 2),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            numeric::derivative(|x| x * x, bad),
            Err(Error::NonFinite { .. })
        ));
        assert!(matches!(
            numeric::hessian(|v| v[0], &[bad]),
            Err(Error::NonFinite { .. })
        ));
    }
    let err = grad(|v| v[0] * v[1], &[1.0, f64::NAN]).unwrap_err();
    assert!(err.to_string().contains("x[1]"), "{err}");
}

#[test]
fn empty_inputs_are_rejected() {
    assert!(matches!(
        grad(|v| v.iter().copied().sum(), &[]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        hessian(|v| v.iter().copied().sum(), &[]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        numeric::gradient(|v| v.iter().sum(), &[]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        jacobian(|_| vec![], &[1.0]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        numeric::jacobian(|_| vec![], &[1.0]),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn jacobian_of_changing_shape_is_an_error() {
    // The number of outputs depends on the direction perturbed: not a function ℝ² → ℝᵐ.
    let f = |x: &[Dual]| {
        if x[1].eps == 1.0 {
            vec![x[0]]
        } else {
            vec![x[0], x[1]]
        }
    };
    let err = jacobian(f, &[1.0, 2.0]).unwrap_err();
    assert!(matches!(err, Error::Shape { .. }), "{err}");
    let g = |x: &[f64]| {
        if x[0] > 1.0 {
            vec![x[0]]
        } else {
            vec![x[0], x[1]]
        }
    };
    assert!(matches!(
        numeric::jacobian(g, &[1.0, 2.0]),
        Err(Error::Shape { .. })
    ));
}

#[test]
fn invalid_steps_and_orders_are_rejected() {
    for h in [0.0, -1e-3, f64::NAN, f64::INFINITY] {
        let err = numeric::FiniteDiff::central()
            .step(h)
            .derivative(|x| x, 1.0)
            .unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
        assert!(err.to_string().contains("step"));
    }
    assert!(matches!(
        taylor(|x| x, 0.0, 99),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        check_grad_with(|v| v[0], &[1.0], -1.0, 0.0),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn non_square_or_asymmetric_matrices_are_rejected() {
    assert!(matches!(
        symmetric_eigenvalues(&array![[1.0, 2.0]]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        symmetric_eigenvalues(&array![[1.0, 2.0], [0.0, 1.0]]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        symmetric_eigenvalues(&array![[f64::NAN]]),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn stale_variables_after_a_reset_are_reported() {
    let w = Var::new(1.0);
    Var::reset_tape();
    assert!(matches!(w.backward(), Err(Error::NoGrad(_))));
    assert!(w.grad().unwrap_err().to_string().contains("reset_tape"));
}
