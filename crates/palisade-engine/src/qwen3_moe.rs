//! Qwen3-MoE, as in Hugging Face `transformers` `models/qwen3_moe`: sparse
//! layers per `mlp_only_layers` and `decoder_sparse_step` (softmax, top-k,
//! renormalised only when `norm_topk_prob`; weights on the outputs), dense
//! MLP layers of width `intermediate_size`, per-head q/k RMS norms with
//! weights applied before rotate-half RoPE.

use super::Result;
use super::config::{CommonConfig, Qwen3MoeConfig};
use super::layers::{Attention, Linear, Mlp, QkNorm, RmsNorm, RopeStyle, Visibility};
use super::model::{DecoderLayer, FeedForward, MoeBlock};
use super::moe::{Experts, Scoring};
use super::weights::Weights;

pub(crate) const ROPE_STYLE: RopeStyle = RopeStyle::RotateHalf;

pub(crate) fn load_layers(
    c: &CommonConfig,
    q: &Qwen3MoeConfig,
    w: &Weights,
) -> Result<Vec<DecoderLayer>> {
    let h = c.hidden_size;
    let mut layers = Vec::with_capacity(c.num_hidden_layers);
    for i in 0..c.num_hidden_layers {
        let p = format!("model.layers.{i}");
        let a = format!("{p}.self_attn");
        let qk_norm = QkNorm::BeforeRope {
            q: RmsNorm::load(w, &format!("{a}.q_norm.weight"), c.head_dim, c.rms_norm_eps)?,
            k: RmsNorm::load(w, &format!("{a}.k_norm.weight"), c.head_dim, c.rms_norm_eps)?,
        };
        let window = Visibility::sliding(q.sliding_window, q.window_layers.get(i));
        let attn = Attention::load(w, &a, c, true, qk_norm, None, window)?;
        let m = format!("{p}.mlp");
        let ffn = if q.sparse_layers.get(i).copied().unwrap_or(false) {
            FeedForward::Moe(MoeBlock {
                router: Linear::load(w, &format!("{m}.gate.weight"), c.num_experts, h)?,
                experts: Experts::load_linear(
                    w,
                    &format!("{m}.experts"),
                    ["gate_proj", "up_proj", "down_proj"],
                    c.num_experts,
                    h,
                    q.moe_intermediate_size,
                )?,
                shared: None,
                scoring: Scoring::SoftmaxOnOutput {
                    renormalize: q.norm_topk_prob,
                },
                top_k: c.num_experts_per_tok,
            })
        } else {
            FeedForward::Dense(Mlp::load(w, &m, h, q.intermediate_size)?)
        };
        layers.push(DecoderLayer::load(w, c, i, attn, ffn)?);
    }
    Ok(layers)
}
