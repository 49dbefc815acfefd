pub mod describe;
