//! Layers and models: seeded initialisation, parameter layout, bad input.

use calc_dl::prelude::*;

#[test]
fn initialisation_is_seeded_and_scaled() {
    let a = Mlp::new(&[64, 64, 64], Activation::Relu, Init::HeNormal, 9).unwrap();
    assert_eq!(
        a,
        Mlp::new(&[64, 64, 64], Activation::Relu, Init::HeNormal, 9).unwrap()
    );
    assert_ne!(
        a,
        Mlp::new(&[64, 64, 64], Activation::Relu, Init::HeNormal, 10).unwrap()
    );
    let w = &a.layers[0].w;
    let std = (w.iter().map(|v| v * v).sum::<f64>() / w.len() as f64).sqrt();
    assert!((std - (2.0f64 / 64.0).sqrt()).abs() < 0.02, "He std {std}");
    let x = Linear::seeded(100, 50, Init::Xavier, 1).unwrap();
    let bound = (6.0f64 / 150.0).sqrt();
    assert!(x.w.iter().all(|v| v.abs() <= bound) && x.b.iter().all(|&b| b == 0.0));
    let t = Linear::seeded(16, 4, Init::PyTorch, 1).unwrap();
    assert!(t.w.iter().chain(t.b.iter()).all(|v| v.abs() <= 0.25) && t.b.iter().any(|&b| b != 0.0));
}

#[test]
fn params_round_trip_in_one_vector() {
    let mut net = Mlp::new(&[2, 3, 1], Activation::Tanh, Init::Xavier, 0).unwrap();
    assert_eq!(net.num_params(), 2 * 3 + 3 + 3 + 1);
    let p: Vec<f64> = (0..13).map(f64::from).collect();
    net.set_params(&p).unwrap();
    assert_eq!(net.params(), p);
    assert_eq!(net.layers[0].w, array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]);
    assert_eq!(net.layers[1].b, array![[12.0]]);
    // tensor and scalar forward passes agree
    let x = array![[0.3, -0.7]];
    let out = net.predict(x.view()).unwrap();
    let s = net.forward_scalar(&p, &[0.3, -0.7]).unwrap();
    assert!((out[[0, 0]] - s[0]).abs() < 1e-12);
}

#[test]
fn bad_models_and_inputs_are_errors() {
    assert!(matches!(
        Mlp::new(&[3], Activation::Relu, Init::Xavier, 0),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        Mlp::new(&[3, 0, 1], Activation::Relu, Init::Xavier, 0),
        Err(Error::Empty { .. })
    ));
    for bad in [0.0, -1.0, f64::NAN] {
        assert!(matches!(
            Linear::seeded(2, 2, Init::Uniform(bad), 0),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(matches!(
            Linear::seeded(2, 2, Init::Normal(bad), 0),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let mut net = Mlp::new(&[2, 3, 1], Activation::Relu, Init::Xavier, 0).unwrap();
    assert!(matches!(
        net.set_params(&[1.0; 5]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        net.predict(array![[1.0, 2.0, 3.0]].view()),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        net.forward_scalar(&[1.0; 3], &[1.0, 2.0]),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        net.forward_scalar(&net.params(), &[1.0]),
        Err(Error::Shape { .. })
    ));
    let x = Tensor::constant(array![[1.0, 2.0, 3.0]]);
    assert!(matches!(
        net.value_and_grad(&x, |o| Ok(o.sum())),
        Err(Error::Shape { .. })
    ));
    assert!(matches!(
        net.forward_with(&[], &x),
        Err(Error::Shape { .. })
    ));
    let empty = Array2::zeros((0, 2));
    let r = net.fit(
        empty,
        Array2::zeros((0, 1)),
        Loss::Mse,
        &mut Sgd::new(0.1),
        &Minimizer::new(1),
    );
    assert!(matches!(r, Err(Error::Empty { .. })));
    let r = net.fit(
        array![[1.0, 2.0]],
        array![[0.5]],
        Loss::SoftmaxCrossEntropy,
        &mut Sgd::new(0.1),
        &Minimizer::new(1),
    );
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
}
