//! `tensorlow::random::set_seed` makes layer initialization and dropout
//! reproducible. A separate test binary with one test: the global seed is
//! process-wide, so other tests drawing random numbers concurrently would
//! shift the op-seed counter.

use keraslike::layers::{BuildContext, Dense, Dropout, Layer};
use keraslike::tensorlow::{random, Tensor};

fn run() -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let mut d = Dense::new(8).kernel_initializer("he_normal");
    d.build(&[5], &BuildContext::default()).unwrap();
    let mut o = Dense::new(3).kernel_initializer("orthogonal");
    o.build(&[8], &BuildContext::default()).unwrap();
    let drop = Dropout::new(0.5);
    let y = drop.call(&Tensor::new(&[1.0f32; 40], &[4, 10]).unwrap(), true).unwrap();
    (
        d.kernel().unwrap().to_vec::<f32>().unwrap(),
        o.kernel().unwrap().to_vec::<f32>().unwrap(),
        y.to_vec::<f32>().unwrap(),
    )
}

#[test]
fn global_seed_makes_layers_reproducible() {
    random::set_seed(42);
    let a = run();
    random::set_seed(42);
    let b = run();
    assert_eq!(a, b);
    // A different global seed gives different weights.
    random::set_seed(43);
    let c = run();
    assert_ne!(a.0, c.0);
    assert_ne!(a.1, c.1);
    // Within one seeded program, two layers get different weights.
    random::set_seed(42);
    let (k1, _, _) = run();
    let (k2, _, _) = run();
    assert_eq!(k1, a.0);
    assert_ne!(k1, k2);
}
