//! A small tool over kerasfile, used by `tests/check_with_h5py.py` to compare kerasfile with
//! h5py and Keras in both directions.
//!
//! ```text
//! cargo run -p kerasfile --example h5tool -- describe mlp.keras      # JSON of what kerasfile reads
//! cargo run -p kerasfile --example h5tool -- rewrite in.keras out.keras  # read, then write back
//! cargo run -p kerasfile --example h5tool -- sample out.weights.h5   # a file of every dtype and attribute kind
//! ```
//!
//! `.keras` files are handled as archives (their weights are described / rewritten), anything
//! else as HDF5. The last line printed is `ok <path>`.

use clap::{Parser, Subcommand};
use kerasfile::{h5, Array, AttrValue, Dtype, Group, KerasArchive};
use std::path::{Path, PathBuf};

#[path = "../tests/common/describe.rs"]
mod describe;

#[derive(Parser)]
#[command(about = "Read, rewrite or generate Keras 3 files with kerasfile")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print, as JSON, every object kerasfile reads from a .keras or HDF5 file.
    Describe { path: PathBuf },
    /// Read a .keras or HDF5 file and write it back with kerasfile's writer.
    Rewrite { input: PathBuf, output: PathBuf },
    /// Write an HDF5 file holding every dtype and attribute kind kerasfile writes, and a group of
    /// 300 members (a two-level B-tree).
    Sample { output: PathBuf },
}

fn is_keras(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "keras")
}

fn sample() -> kerasfile::Result<Group> {
    let mut root = Group::new();
    root.set_attr("title", "kerasfile sample ✓");
    root.set_attr("count", 3i64);
    root.set_attr("ratio", 0.25f64);
    root.set_attr("names", vec!["a".to_string(), String::new(), "ünï".to_string()]);
    root.set_attr("empty", "");
    root.set_attr(
        "ints",
        AttrValue::Array(Array::from_slice(&[2, 2], &[1i32, -2, 3, -4])?),
    );
    let f: Vec<f64> = (0..6).map(|i| i as f64 * 0.5 - 1.0).collect();
    let cast = |t: Dtype| -> kerasfile::Result<Array> {
        let n = [2, 3];
        match t {
            Dtype::Bool => Array::from_slice(&n, &[true, false, true, true, false, false]),
            Dtype::I8 => Array::from_slice(&n, &f.iter().map(|&v| (v * 2.0) as i8).collect::<Vec<_>>()),
            Dtype::I16 => Array::from_slice(&n, &f.iter().map(|&v| (v * 200.0) as i16).collect::<Vec<_>>()),
            Dtype::I32 => Array::from_slice(&n, &f.iter().map(|&v| (v * 2e6) as i32).collect::<Vec<_>>()),
            Dtype::I64 => Array::from_slice(&n, &f.iter().map(|&v| (v * 2e12) as i64).collect::<Vec<_>>()),
            Dtype::U8 => Array::from_slice(&n, &[0u8, 1, 2, 3, 254, 255]),
            Dtype::U16 => Array::from_slice(&n, &[0u16, 1, 2, 3, 65534, 65535]),
            Dtype::U32 => Array::from_slice(&n, &[0u32, 1, 2, 3, u32::MAX - 1, u32::MAX]),
            Dtype::U64 => Array::from_slice(&n, &[0u64, 1, 2, 3, u64::MAX - 1, u64::MAX]),
            // float16 1.0, -2.0, 0.5, 65504, smallest subnormal, 0; bfloat16 1.0, -2.0, ...
            Dtype::F16 => Array::from_bytes(
                t,
                &n,
                [0x3c00u16, 0xc000, 0x3800, 0x7bff, 0x0001, 0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            Dtype::BF16 => Array::from_bytes(
                t,
                &n,
                [0x3f80u16, 0xc000, 0x3f00, 0x4049, 0x0001, 0]
                    .iter()
                    .flat_map(|v| v.to_le_bytes())
                    .collect(),
            ),
            Dtype::F32 => Array::from_slice(&n, &f.iter().map(|&v| v as f32 / 3.0).collect::<Vec<_>>()),
            Dtype::F64 => Array::from_slice(&n, &f.iter().map(|&v| v / 3.0).collect::<Vec<_>>()),
        }
    };
    use Dtype::*;
    for t in [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F16, BF16, F32, F64] {
        root.insert_dataset(&format!("dtypes/{}", t.name()), cast(t)?)?;
    }
    root.insert_dataset("shapes/scalar", Array::scalar(42i64))?;
    root.insert_dataset("shapes/empty", Array::from_slice::<f32>(&[0, 3], &[])?)?;
    root.insert_dataset(
        "shapes/rank4",
        Array::from_slice(&[1, 2, 1, 2], &[1.0f32, 2.0, 3.0, 4.0])?,
    )?;
    let many = root.require_group("many")?;
    for i in 0..300 {
        many.require_group(&format!("g{i:03}"))?.set_attr("i", i as i64);
    }
    Ok(root)
}

fn run(args: Args) -> kerasfile::Result<PathBuf> {
    match args.command {
        Command::Describe { path } => {
            let root = if is_keras(&path) {
                KerasArchive::read(&path)?.weights
            } else {
                h5::read(&path)?
            };
            println!("{}", describe::describe(&root));
            Ok(path)
        }
        Command::Rewrite { input, output } => {
            if is_keras(&input) {
                KerasArchive::read(&input)?.write(&output)?;
            } else {
                h5::write(&output, &h5::read(&input)?)?;
            }
            Ok(output)
        }
        Command::Sample { output } => {
            h5::write(&output, &sample()?)?;
            Ok(output)
        }
    }
}

fn main() {
    match run(Args::parse()) {
        Ok(p) => println!("ok {}", p.display()),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
