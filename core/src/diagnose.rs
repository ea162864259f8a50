//! Why a token was refused: `taap explain`, decoding a token against a request step by step.

pub use crate::explain::{
    explain, mask_secret, EdtsCheck, Entry, ExplainOptions, ExplainRequest, ExplainedClaims, ExplainedHeader,
    Explanation, SignatureCheck, TimeCheck, Variant, VariantMatch,
};
