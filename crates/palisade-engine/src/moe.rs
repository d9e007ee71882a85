//! Expert dispatch: route every token of a step at once, group the token
//! rows by expert, run one matmul pair per expert that received tokens, and
//! scatter-add the results back. Cost follows the active experts, not the
//! total: an expert no token chose is never touched.

use candle_core::{D, DType, Tensor};

use super::Result;
use super::layers::{Mlp, swiglu};
use super::panels::{Job, PackedWeight, products};
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
    /// Each expert packed (or quantized in situ) as `w` does.
    pub fn from_stacked(
        w: &Weights,
        gate_up: &Tensor,
        down: &Tensor,
        width: usize,
    ) -> Result<Self> {
        let experts = gate_up.dim(0)?;
        let mut gu = Vec::with_capacity(experts);
        let mut dn = Vec::with_capacity(experts);
        for e in 0..experts {
            gu.push(w.pack("experts.gate_up_proj", &gate_up.get(e)?.t()?)?);
            dn.push(w.pack("experts.down_proj", &down.get(e)?.t()?)?);
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
        let mut gate_up = Vec::with_capacity(experts);
        let mut down_proj = Vec::with_capacity(experts);
        for e in 0..experts {
            let x = format!("{prefix}.{e}");
            let (g, u) = (format!("{x}.{gate}.weight"), format!("{x}.{up}.weight"));
            gate_up.push(w.fused(&[(&g, width), (&u, width)], hidden)?);
            down_proj.push(w.linear(&format!("{x}.{down}.weight"), hidden, width)?);
        }
        Ok(Self {
            gate_up,
            down: down_proj,
            width,
        })
    }

    /// Per-expert linear weights: gate `[I, H]`, up `[I, H]`, down `[H, I]`.
    #[cfg(test)]
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
            return Err(unknown_expert(e));
        };
        let h = gate_up.forward(x)?;
        let gate = h.narrow(D::Minus1, 0, self.width)?;
        let up = h.narrow(D::Minus1, self.width, self.width)?;
        down.forward(&(gate.silu()? * up)?)
    }

    /// The routed experts and the shared one (`shared`) on weights packed
    /// for the CPU: each expert's rows gathered on the host, every gate/up
    /// product in one parallel pass and every down product in another,
    /// then summed as [`Self::forward`] and the caller do (routed experts
    /// in expert order, then the shared expert added). `None` when a
    /// weight is not packed for the CPU.
    pub(crate) fn forward_host(
        &self,
        x: &Tensor,
        routing: &Routing,
        scoring: Scoring,
        shared: Option<&Mlp>,
    ) -> Result<Option<Tensor>> {
        let shared = match shared.map(Mlp::parts) {
            Some(None) => return Ok(None),
            Some(Some(parts)) => Some(parts),
            None => None,
        };
        let packed = self
            .gate_up
            .iter()
            .chain(&self.down)
            .all(PackedWeight::on_host)
            && shared.is_none_or(|(g, d, _)| g.on_host() && d.on_host());
        if !x.device().is_cpu() || !packed {
            return Ok(None);
        }
        let (rows, hidden) = x.dims2()?;
        let xs = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
        let mut chosen = Vec::new();
        for (e, (sel, weights)) in routing.rows.iter().zip(&routing.weights).enumerate() {
            if sel.is_empty() {
                continue;
            }
            let (Some(gate_up), Some(down)) = (self.gate_up.get(e), self.down.get(e)) else {
                return Err(unknown_expert(e));
            };
            let mut xe = Vec::with_capacity(sel.len() * hidden);
            for (&r, &w) in sel.iter().zip(weights) {
                let r = r as usize;
                let Some(src) = xs.get(r * hidden..(r + 1) * hidden) else {
                    return Err(candle_core::Error::Msg(format!(
                        "the router sent row {r} of {rows} to expert {e}"
                    ))
                    .into());
                };
                match scoring {
                    Scoring::SigmoidOnInput => xe.extend(src.iter().map(|v| v * w)),
                    Scoring::SoftmaxOnOutput { .. } => xe.extend_from_slice(src),
                }
            }
            chosen.push((gate_up, down, sel, weights, xe));
        }
        let mut widths = Vec::with_capacity(chosen.len() + 1);
        let mut first = Vec::with_capacity(chosen.len() + 1);
        if let Some((gate_up, _, width)) = shared {
            first.push(Job {
                weight: gate_up,
                x: &xs,
                rows,
            });
            widths.push(width);
        }
        for (gate_up, _, sel, _, xe) in &chosen {
            first.push(Job {
                weight: gate_up,
                x: xe,
                rows: sel.len(),
            });
            widths.push(self.width);
        }
        let acts: Vec<Vec<f32>> = products(&first)?
            .iter()
            .zip(&widths)
            .map(|(h, width)| swiglu(h, *width))
            .collect();
        let downs = shared
            .map(|(_, down, _)| (down, rows))
            .into_iter()
            .chain(chosen.iter().map(|(_, down, sel, _, _)| (*down, sel.len())));
        let second: Vec<Job<'_>> = downs
            .zip(&acts)
            .map(|((weight, rows), x)| Job { weight, x, rows })
            .collect();
        let mut ys = products(&second)?.into_iter();
        let shared_y = if shared.is_some() { ys.next() } else { None };
        let mut out = vec![0f32; rows * hidden];
        for ((_, _, sel, weights, _), y) in chosen.iter().zip(ys) {
            for ((&r, &w), y_row) in sel.iter().zip(*weights).zip(y.chunks_exact(hidden)) {
                let r = r as usize;
                let Some(o) = out.get_mut(r * hidden..(r + 1) * hidden) else {
                    continue;
                };
                for (o, v) in o.iter_mut().zip(y_row) {
                    *o += match scoring {
                        Scoring::SigmoidOnInput => *v,
                        Scoring::SoftmaxOnOutput { .. } => v * w,
                    };
                }
            }
        }
        if let Some(s) = shared_y {
            // IEEE addition commutes: the bits of `shared + routed`.
            for (o, v) in out.iter_mut().zip(s) {
                *o += v;
            }
        }
        Ok(Some(Tensor::from_vec(out, (rows, hidden), x.device())?))
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

fn unknown_expert(e: usize) -> super::EngineError {
    candle_core::Error::Msg(format!("router chose expert {e}, which does not exist")).into()
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
    fn grouped_host_products_give_the_tensor_paths_bits() {
        let dev = Device::Cpu;
        let (hidden, width, experts) = (40, 24, 4);
        let random = |shape: (usize, usize)| {
            Tensor::randn(0f32, 0.5, shape, &dev)
                .unwrap()
                .to_dtype(DType::BF16)
                .unwrap()
        };
        let weights = (0..experts)
            .map(|_| {
                (
                    random((width, hidden)),
                    random((width, hidden)),
                    random((hidden, width)),
                )
            })
            .collect();
        let e = Experts::from_linear(weights, width).unwrap();
        let x = Tensor::randn(0f32, 1.0, (6, hidden), &dev).unwrap();
        let logits = Tensor::randn(0f32, 1.0, (6, experts), &dev).unwrap();
        for scoring in [
            Scoring::SigmoidOnInput,
            Scoring::SoftmaxOnOutput { renormalize: true },
        ] {
            let routing = route(&logits, 2, scoring).unwrap();
            let want = e.forward(&x, &routing, scoring).unwrap();
            let got = e
                .forward_host(&x, &routing, scoring, None)
                .unwrap()
                .unwrap();
            assert_eq!(
                got.to_vec2::<f32>().unwrap(),
                want.to_vec2::<f32>().unwrap(),
                "{scoring:?}"
            );
        }
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
