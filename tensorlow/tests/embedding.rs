//! Embedding lookup and integer ids of every index dtype (uint8, uint32,
//! int32, int64): values, gradients by finite differences, and the CPU
//! error for an out-of-range id naming the id and `input_dim`.

mod common;

use common::*;
use tensorlow::{nn, DType, Tensor};

fn ids(v: &[i64], shape: &[usize], dtype: DType) -> Tensor {
    idx(v, shape).cast(dtype).unwrap()
}

#[test]
fn every_integer_dtype_picks_the_rows() {
    let table = uniform(&[5, 3], -1.0, 1.0, 1);
    let rows = vals(&table);
    for dtype in [DType::U8, DType::U32, DType::I32, DType::I64] {
        let e = nn::embedding_lookup(&table, &ids(&[4, 0, 4, 2], &[2, 2], dtype)).unwrap();
        assert_eq!(e.shape(), &[2, 2, 3]);
        let want: Vec<f64> = [4, 0, 4, 2]
            .iter()
            .flat_map(|&r| rows[r * 3..r * 3 + 3].to_vec())
            .collect();
        assert_eq!(vals(&e), want, "{dtype:?}");
        // gather, take_along_axis and one_hot take the same ids.
        let g = table.gather(&ids(&[1, 3], &[2], dtype), 0).unwrap();
        assert_eq!(vals(&g), [&rows[3..6], &rows[9..12]].concat());
        let t = table
            .take_along_axis(&ids(&[2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], &[5, 3], dtype), 1)
            .unwrap();
        assert_eq!(vals(&t)[..3], [rows[2], rows[0], rows[1]]);
        let oh = ids(&[1, 2], &[2], dtype).one_hot(3, DType::F64).unwrap();
        assert_eq!(vals(&oh), vec![0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
    }
}

#[test]
fn the_gradient_sums_over_repeated_ids() {
    let table = uniform(&[4, 2], -1.0, 1.0, 2);
    for dtype in [DType::I32, DType::I64] {
        let i = ids(&[3, 1, 3], &[3], dtype);
        check_grad2(
            &format!("embedding {dtype:?}"),
            |x| nn::embedding_lookup(&x[0], &i),
            std::slice::from_ref(&table),
        );
    }
}

#[test]
fn out_of_range_ids_are_errors_naming_the_id_and_input_dim() {
    let table = uniform(&[10, 2], -1.0, 1.0, 3);
    for dtype in [DType::U32, DType::I32, DType::I64] {
        let e = nn::embedding_lookup(&table, &ids(&[1, 12, 3], &[3], dtype))
            .unwrap_err()
            .to_string();
        assert!(e.contains("id 12") && e.contains("input_dim 10"), "{dtype:?}: {e}");
    }
    for dtype in [DType::I32, DType::I64] {
        let e = nn::embedding_lookup(&table, &ids(&[-1], &[1], dtype))
            .unwrap_err()
            .to_string();
        assert!(e.contains("id -1") && e.contains("input_dim 10"), "{e}");
    }
    let e = nn::embedding_lookup(&table, &uniform(&[2], 0.0, 1.0, 4))
        .unwrap_err()
        .to_string();
    assert!(e.contains("int32") && e.contains("float64"), "{e}");
}

#[test]
fn int32_labels_are_checked_by_the_sparse_cross_entropy() {
    let logits = uniform(&[2, 3], -1.0, 1.0, 5);
    let ok = nn::sparse_softmax_cross_entropy_with_logits(&ids(&[2, 0], &[2], DType::I32), &logits).unwrap();
    let same = nn::sparse_softmax_cross_entropy_with_logits(&ids(&[2, 0], &[2], DType::I64), &logits).unwrap();
    assert_eq!(vals(&ok), vals(&same));
    let e = nn::sparse_softmax_cross_entropy_with_logits(&ids(&[3, 0], &[2], DType::I32), &logits).unwrap_err();
    assert!(e.to_string().contains("label 3"), "{e}");
}
