pub use keraslike as keras;
pub use tensorlow as tf;
