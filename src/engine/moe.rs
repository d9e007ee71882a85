//! Expert dispatch: route every token of a step at once, group the token
//! rows by expert, run one matmul pair per expert that received tokens, and
//! scatter-add the results back. Cost follows the active experts, not the
//! total: an expert no token chose is never touched.

use candle_core::{D, DType, Tensor};

use super::Result;
use super::panels::PackedWeight;
use super::weights::Weights;

/// How router logits become expert weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// Llama 4: top-k over the raw logits, sigmoid of the chosen ones, no
    /// renormalisation; the score scales the expert's *input*.
    SigmoidOnInput,
    /// Mixtral / Qwen3-MoE: softmax over all experts in f32, top-k,
    /// optionally renormalised; the weight scales the expert's *output*.
    SoftmaxOnOutput { renormalize: bool },
}

/// Token rows and their weights, per expert.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Routing {
    pub rows: Vec<Vec<u32>>,
    pub weights: Vec<Vec<f32>>,
}

/// Routes `logits` (`[rows, experts]`) to the top `k` experts of each row.
/// One transfer of the logits to the host per layer; no per-expert one.
pub fn route(logits: &Tensor, k: usize, scoring: Scoring) -> Result<Routing> {
    let logits = logits.to_dtype(DType::F32)?.to_vec2::<f32>()?;
    let experts = logits.first().map_or(0, Vec::len);
    let mut routing = Routing {
        rows: vec![Vec::new(); experts],
        weights: vec![Vec::new(); experts],
    };
    let mut order: Vec<usize> = Vec::with_capacity(experts);
    for (row, l) in logits.iter().enumerate() {
        let values: Vec<f32> = match scoring {
            Scoring::SigmoidOnInput => l.clone(),
            Scoring::SoftmaxOnOutput { .. } => {
                let max = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                let exp: Vec<f32> = l.iter().map(|v| (v - max).exp()).collect();
                let sum: f32 = exp.iter().sum();
                exp.into_iter().map(|e| e / sum).collect()
            }
        };
        order.clear();
        order.extend(0..experts);
        // Highest first; ties to the lower index, as torch.topk does.
        order.sort_by(|a, b| {
            let (va, vb) = (values.get(*a), values.get(*b));
            vb.partial_cmp(&va)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(a.cmp(b))
        });
        let chosen = order.get(..k).unwrap_or(&order);
        let total: f32 = chosen.iter().filter_map(|e| values.get(*e)).sum();
        for &e in chosen {
            let v = values.get(e).copied().unwrap_or(0.0);
            let weight = match scoring {
                Scoring::SigmoidOnInput => 1.0 / (1.0 + (-v).exp()),
                Scoring::SoftmaxOnOutput { renormalize: true } => v / total,
                Scoring::SoftmaxOnOutput { renormalize: false } => v,
            };
            if let (Some(rows), Some(weights)) =
                (routing.rows.get_mut(e), routing.weights.get_mut(e))
            {
                rows.push(row as u32);
                weights.push(weight);
            }
        }
    }
    Ok(routing)
}

/// The routed experts of one layer, each a SwiGLU MLP, held as linear
/// layers (`[out, in]`) so one kernel serves every architecture.
#[derive(Debug, Clone)]
pub struct Experts {
    /// Per expert: gate and up fused, `[2 * width, hidden]`.
    gate_up: Vec<PackedWeight>,
    /// Per expert: `[hidden, width]`.
    down: Vec<PackedWeight>,
    width: usize,
}

impl Experts {
    /// Llama 4's stacked `gate_up_proj` `[E, H, 2I]` and `down_proj`
    /// `[E, I, H]` (used as `x @ W`), transposed once at load.
    pub fn from_stacked(gate_up: &Tensor, down: &Tensor, width: usize) -> Result<Self> {
        let experts = gate_up.dim(0)?;
        let mut gu = Vec::with_capacity(experts);
        let mut dn = Vec::with_capacity(experts);
        for e in 0..experts {
            gu.push(PackedWeight::new(&gate_up.get(e)?.t()?)?);
            dn.push(PackedWeight::new(&down.get(e)?.t()?)?);
        }
        Ok(Self {
            gate_up: gu,
            down: dn,
            width,
        })
    }

    /// Loads `{prefix}.{e}.{gate,up,down}.weight` for every expert `e`
    /// (`names`: Mixtral `w1`, `w3`, `w2`; Qwen3 `gate_proj`, `up_proj`,
    /// `down_proj`).
    pub fn load_linear(
        w: &Weights,
        prefix: &str,
        names: [&str; 3],
        experts: usize,
        hidden: usize,
        width: usize,
    ) -> Result<Self> {
        let [gate, up, down] = names;
        let weights = (0..experts)
            .map(|e| {
                let x = format!("{prefix}.{e}");
                Ok((
                    w.get(&format!("{x}.{gate}.weight"), &[width, hidden])?,
                    w.get(&format!("{x}.{up}.weight"), &[width, hidden])?,
                    w.get(&format!("{x}.{down}.weight"), &[hidden, width])?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::from_linear(weights, width)
    }

    /// Per-expert linear weights: gate `[I, H]`, up `[I, H]`, down `[H, I]`.
    pub fn from_linear(weights: Vec<(Tensor, Tensor, Tensor)>, width: usize) -> Result<Self> {
        let mut gate_up = Vec::with_capacity(weights.len());
        let mut down = Vec::with_capacity(weights.len());
        for (g, u, d) in weights {
            gate_up.push(PackedWeight::new(&Tensor::cat(&[g, u], 0)?)?);
            down.push(PackedWeight::new(&d)?);
        }
        Ok(Self {
            gate_up,
            down,
            width,
        })
    }

    fn expert(&self, e: usize, x: &Tensor) -> Result<Tensor> {
        let (Some(gate_up), Some(down)) = (self.gate_up.get(e), self.down.get(e)) else {
            return Err(candle_core::Error::Msg(format!(
                "router chose expert {e}, which does not exist"
            ))
            .into());
        };
        let h = gate_up.forward(x)?;
        let gate = h.narrow(D::Minus1, 0, self.width)?;
        let up = h.narrow(D::Minus1, self.width, self.width)?;
        down.forward(&(gate.silu()? * up)?)
    }

    /// Runs the routed experts on `x` (`[rows, hidden]`) and sums their
    /// contributions per row.
    pub fn forward(&self, x: &Tensor, routing: &Routing, scoring: Scoring) -> Result<Tensor> {
        let device = x.device();
        let mut outputs = Vec::new();
        let mut targets: Vec<u32> = Vec::new();
        for (e, (rows, weights)) in routing.rows.iter().zip(&routing.weights).enumerate() {
            if rows.is_empty() {
                continue;
            }
            let index = Tensor::new(rows.as_slice(), device)?;
            let w = Tensor::from_slice(weights, (rows.len(), 1), device)?;
            let xe = x.index_select(&index, 0)?;
            let ye = match scoring {
                Scoring::SigmoidOnInput => self.expert(e, &xe.broadcast_mul(&w)?)?,
                Scoring::SoftmaxOnOutput { .. } => self.expert(e, &xe)?.broadcast_mul(&w)?,
            };
            outputs.push(ye);
            targets.extend_from_slice(rows);
        }
        let out = x.zeros_like()?;
        if outputs.is_empty() {
            return Ok(out);
        }
        let all = Tensor::cat(&outputs, 0)?;
        let targets = Tensor::new(targets.as_slice(), device)?;
        Ok(out.index_add(&targets, &all, 0)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    #[test]
    fn llama4_routing_takes_top_k_of_raw_logits_then_sigmoid() {
        let logits = Tensor::new(&[[0.5f32, 2.0, -1.0, 1.0]], &Device::Cpu).unwrap();
        let r = route(&logits, 1, Scoring::SigmoidOnInput).unwrap();
        assert_eq!(r.rows[1], vec![0]);
        assert!((r.weights[1][0] - 1.0 / (1.0 + (-2.0f32).exp())).abs() < 1e-7);
        assert!(r.rows[0].is_empty() && r.rows[2].is_empty() && r.rows[3].is_empty());
    }

    #[test]
    fn softmax_routing_renormalises_only_when_asked() {
        let logits = Tensor::new(&[[1.0f32, 2.0, 3.0, 0.0]], &Device::Cpu).unwrap();
        let r = route(&logits, 2, Scoring::SoftmaxOnOutput { renormalize: true }).unwrap();
        let sum: f32 = r.weights.iter().flatten().sum();
        assert!((sum - 1.0).abs() < 1e-6);
        assert_eq!(r.rows[2], vec![0]);
        assert_eq!(r.rows[1], vec![0]);
        let r = route(&logits, 2, Scoring::SoftmaxOnOutput { renormalize: false }).unwrap();
        let sum: f32 = r.weights.iter().flatten().sum();
        assert!(sum < 0.95, "{sum}");
    }
}
