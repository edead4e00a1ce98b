//! Data sets: the lesson's points, seeded synthetic data, two moons, the shipped CSV, bad input.

use calc_dl::data::*;
use calc_dl::prelude::*;

#[test]
fn lesson_points_are_exact() {
    let d = lesson_line();
    assert_eq!(d.x.column(0).to_vec(), vec![1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(d.y.to_vec(), vec![3.0, 5.0, 7.0, 9.0, 11.0]);
}

#[test]
fn synthetic_data_is_seeded_and_shaped() {
    let a = synthetic_regression(50, &[1.0; 8], 0.5, 0.1, 7).unwrap();
    assert_eq!((a.len(), a.features()), (50, 8));
    assert_eq!(a, synthetic_regression(50, &[1.0; 8], 0.5, 0.1, 7).unwrap());
    assert_ne!(a, synthetic_regression(50, &[1.0; 8], 0.5, 0.1, 8).unwrap());
    let m = two_moons(100, 0.1, 0).unwrap();
    assert_eq!(m.y.iter().filter(|&&y| y == 1.0).count(), 50);
    assert!(matches!(
        synthetic_regression(0, &[1.0], 0.0, 0.1, 0),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        synthetic_regression(5, &[1.0], 0.0, -1.0, 0),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(two_moons(1, 0.1, 0), Err(Error::Empty { .. })));
}

#[test]
fn bad_data_is_rejected() {
    assert!(matches!(
        Dataset::new(Array2::zeros((0, 2)), array![]),
        Err(Error::Empty { .. })
    ));
    assert!(matches!(
        Dataset::new(Array2::zeros((3, 2)), array![1.0]),
        Err(Error::Shape { .. })
    ));
    let err = Dataset::new(array![[1.0], [f64::NAN]], array![1.0, 2.0]).unwrap_err();
    assert!(err.to_string().contains("x[1, 0]"), "{err}");
    assert!(matches!(
        Dataset::new(array![[1.0]], array![f64::INFINITY]),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn shipped_csv_has_twenty_houses() {
    let rows: Vec<&str> = HOUSES_CSV.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows[0], "size_m2,price_10k_won");
    assert_eq!(rows.len(), 21);
}

#[cfg(feature = "tables")]
#[test]
fn houses_read_with_polars() {
    let d = houses().unwrap();
    assert_eq!((d.len(), d.features()), (20, 1));
    assert_eq!((d.x[[0, 0]], d.y[0]), (33.0, 18500.0));
    let fit = calc_dl::regression::least_squares(&d).unwrap();
    assert!(
        fit.weights[0] > 400.0 && fit.weights[0] < 600.0,
        "{}",
        fit.weights[0]
    );
    let dir = std::env::temp_dir().join("calc_dl_bad.csv");
    std::fs::write(&dir, "a,b\n1,2\n3,oops\n").unwrap();
    assert!(matches!(
        read_csv(&dir, &["a"], "b"),
        Err(Error::Data { .. })
    ));
    assert!(matches!(
        read_csv("/no/such/file.csv", &["a"], "b"),
        Err(Error::Data { .. })
    ));
}
