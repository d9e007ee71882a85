//! Mixtral, as in Hugging Face `transformers` `models/mixtral`: every layer
//! a sparse MoE block (softmax over all experts in f32, top-k, renormalised,
//! the weights multiplying the expert outputs; experts `w1`/`w3`/`w2`),
//! rotate-half RoPE, optional sliding window.

use super::Result;
use super::config::{CommonConfig, MixtralConfig};
use super::layers::{Attention, Linear, QkNorm, RopeStyle, Visibility};
use super::model::{DecoderLayer, FeedForward, MoeBlock};
use super::moe::{Experts, Scoring};
use super::weights::Weights;

pub(crate) const ROPE_STYLE: RopeStyle = RopeStyle::RotateHalf;

pub(crate) fn load_layers(
    c: &CommonConfig,
    m: &MixtralConfig,
    w: &Weights,
) -> Result<Vec<DecoderLayer>> {
    let h = c.hidden_size;
    let width = m.intermediate_size;
    let mut layers = Vec::with_capacity(c.num_hidden_layers);
    for i in 0..c.num_hidden_layers {
        let p = format!("model.layers.{i}");
        let attn = Attention::load(
            w,
            &format!("{p}.self_attn"),
            c,
            true,
            QkNorm::None,
            None,
            Visibility::sliding(m.sliding_window, m.window_layers.get(i)),
        )?;
        let b = format!("{p}.block_sparse_moe");
        let ffn = FeedForward::Moe(MoeBlock {
            router: Linear::load(w, &format!("{b}.gate.weight"), c.num_experts, h)?,
            experts: Experts::load_linear(
                w,
                &format!("{b}.experts"),
                ["w1", "w3", "w2"],
                c.num_experts,
                h,
                width,
            )?,
            shared: None,
            scoring: Scoring::SoftmaxOnOutput { renormalize: true },
            top_k: c.num_experts_per_tok,
        });
        layers.push(DecoderLayer::load(w, c, i, attn, ffn)?);
    }
    Ok(layers)
}
