//! Llama 4 (the text model of Scout and Maverick), as in Hugging Face
//! `transformers` `models/llama4`.
//!
//! - MoE layers per `moe_layers` / `interleave_moe_layer_step`; the others
//!   are a dense SwiGLU MLP of width `intermediate_size_mlp`.
//! - Router: top-k over the raw logits, sigmoid of the chosen ones, the
//!   score multiplying the expert's input; plus a shared expert.
//! - RoPE on interleaved pairs (llama3 scaling), only on layers where
//!   `no_rope_layers[i] == 1`; those attend within their chunk and, with
//!   `use_qk_norm`, apply a weightless RMS norm to q and k after RoPE.
//! - NoPE layers attend to the whole causal context, with query temperature
//!   tuning when `attn_temperature_tuning`.

use super::Result;
use super::config::{CommonConfig, Llama4Config};
use super::layers::{
    Attention, Linear, Mlp, QkNorm, RmsNorm, RopeStyle, TemperatureTuning, Visibility,
};
use super::model::{DecoderLayer, FeedForward, MoeBlock};
use super::moe::{Experts, Scoring};
use super::weights::Weights;

pub(crate) const ROPE_STYLE: RopeStyle = RopeStyle::Interleaved;

pub(crate) fn load_layers(
    c: &CommonConfig,
    l: &Llama4Config,
    w: &Weights,
) -> Result<Vec<DecoderLayer>> {
    let h = c.hidden_size;
    let mut layers = Vec::with_capacity(c.num_hidden_layers);
    for i in 0..c.num_hidden_layers {
        let p = format!("model.layers.{i}");
        let use_rope = l.rope_layers.get(i).copied().unwrap_or(true);
        let qk_norm = if use_rope && l.use_qk_norm {
            QkNorm::AfterRope(RmsNorm::weightless(c.head_dim, c.rms_norm_eps, w.device())?)
        } else {
            QkNorm::None
        };
        let visibility = match (l.chunked_layers.get(i), l.attention_chunk_size) {
            (Some(true), Some(size)) => Visibility::Chunked(size),
            _ => Visibility::Causal,
        };
        let temperature = (!use_rope && l.attn_temperature_tuning).then_some(TemperatureTuning {
            floor_scale: l.floor_scale,
            attn_scale: l.attn_scale,
        });
        let attn = Attention::load(
            w,
            &format!("{p}.self_attn"),
            c,
            use_rope,
            qk_norm,
            temperature,
            visibility,
        )?;
        let f = format!("{p}.feed_forward");
        let ffn = if l.moe_layers.get(i).copied().unwrap_or(false) {
            let (e, width) = (c.num_experts, l.intermediate_size);
            // A GGUF file holds the experts one by one (each may stay
            // quantized); a checkpoint stacks them.
            let experts = if w.contains(&format!("{f}.experts.0.gate_proj.weight")) {
                let names = ["gate_proj", "up_proj", "down_proj"];
                Experts::load_linear(w, &format!("{f}.experts"), names, e, h, width)?
            } else {
                let gate_up = w.get(&format!("{f}.experts.gate_up_proj"), &[e, h, 2 * width])?;
                let down = w.get(&format!("{f}.experts.down_proj"), &[e, width, h])?;
                Experts::from_stacked(w, &gate_up, &down, width)?
            };
            FeedForward::Moe(MoeBlock {
                router: Linear::load(w, &format!("{f}.router.weight"), e, h)?,
                experts,
                shared: Some(Mlp::load(w, &format!("{f}.shared_expert"), h, width)?),
                scoring: Scoring::SigmoidOnInput,
                top_k: c.num_experts_per_tok,
            })
        } else {
            FeedForward::Dense(Mlp::load(w, &f, h, l.intermediate_size_mlp)?)
        };
        layers.push(DecoderLayer::load(w, c, i, attn, ffn)?);
    }
    Ok(layers)
}
