//! A mergeable duration sketch: counts in logarithmic buckets (the DDSketch
//! idea), so any percentile is answered within 1 % of the true value and
//! two sketches merge by adding counts — the result is the same whatever
//! the order of merging, which keeps a rebuilt read model identical to one
//! folded incrementally.

use std::collections::BTreeMap;

/// Relative accuracy of a percentile answer.
pub const RELATIVE_ACCURACY: f64 = 0.01;

/// Format version byte of [`Sketch::to_bytes`].
const FORMAT: u8 = 1;

/// Durations in milliseconds, bucketed logarithmically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sketch {
    /// Values of 0 ms.
    zeros: u64,
    /// Bucket index -> count; bucket `i` holds values in `(γ^(i-1), γ^i]`.
    buckets: BTreeMap<i32, u64>,
}

/// A stored sketch could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration sketch: {0}")]
pub struct SketchError(pub &'static str);

fn gamma() -> f64 {
    (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY)
}

fn index_of(value: u64) -> i32 {
    // ln(2^63) / ln(γ) < 2200: the index always fits.
    ((value as f64).ln() / gamma().ln()).ceil() as i32
}

impl Sketch {
    /// An empty sketch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one duration (negative durations count as 0).
    pub fn add(&mut self, millis: i64) {
        match u64::try_from(millis) {
            Ok(value) if value > 0 => *self.buckets.entry(index_of(value)).or_default() += 1,
            _ => self.zeros += 1,
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &Sketch) {
        self.zeros += other.zeros;
        for (index, count) in &other.buckets {
            *self.buckets.entry(*index).or_default() += count;
        }
    }

    /// How many durations were added.
    pub fn count(&self) -> u64 {
        self.zeros + self.buckets.values().sum::<u64>()
    }

    /// The `q`-quantile (`0.0..=1.0`, e.g. 0.9 for p90) within
    /// [`RELATIVE_ACCURACY`], or `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        let rank = (q.clamp(0.0, 1.0) * (count - 1) as f64).floor() as u64;
        if rank < self.zeros {
            return Some(0.0);
        }
        let mut seen = self.zeros;
        let gamma = gamma();
        for (index, bucket) in &self.buckets {
            seen += bucket;
            if seen > rank {
                return Some(2.0 * gamma.powi(*index) / (gamma + 1.0));
            }
        }
        None
    }

    /// Compact binary form: format byte, zero count, bucket count, then
    /// (index delta, count) pairs, all LEB128 (indices zig-zag encoded).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        write_varint(&mut out, self.zeros);
        write_varint(&mut out, self.buckets.len() as u64);
        let mut previous = 0i64;
        for (index, count) in &self.buckets {
            let delta = i64::from(*index) - previous;
            previous = i64::from(*index);
            write_varint(&mut out, ((delta << 1) ^ (delta >> 63)) as u64);
            write_varint(&mut out, *count);
        }
        out
    }

    /// Reads [`Sketch::to_bytes`]; an empty slice is an empty sketch.
    pub fn from_bytes(bytes: &[u8]) -> Result<Sketch, SketchError> {
        if bytes.is_empty() {
            return Ok(Sketch::new());
        }
        if bytes[0] != FORMAT {
            return Err(SketchError("unknown format"));
        }
        let mut input = &bytes[1..];
        let zeros = read_varint(&mut input)?;
        let len = read_varint(&mut input)?;
        let mut buckets = BTreeMap::new();
        let mut index = 0i64;
        for _ in 0..len {
            let zigzag = read_varint(&mut input)?;
            index += ((zigzag >> 1) as i64) ^ -((zigzag & 1) as i64);
            let count = read_varint(&mut input)?;
            let index = i32::try_from(index).map_err(|_| SketchError("bucket out of range"))?;
            buckets.insert(index, count);
        }
        if !input.is_empty() {
            return Err(SketchError("trailing bytes"));
        }
        Ok(Sketch { zeros, buckets })
    }
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn read_varint(input: &mut &[u8]) -> Result<u64, SketchError> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first().ok_or(SketchError("truncated"))?;
        *input = rest;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(SketchError("varint too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact_quantile(sorted: &[i64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64).floor() as usize] as f64
    }

    #[test]
    fn quantiles_are_within_the_relative_accuracy() {
        let values: Vec<i64> = (0..5000)
            .map(|i| (i * i) % 7919 + (i % 3) * 100_000)
            .collect();
        let mut sketch = Sketch::new();
        for value in &values {
            sketch.add(*value);
        }
        let mut sorted = values.clone();
        sorted.sort();
        for q in [0.0, 0.5, 0.9, 0.99, 1.0] {
            let exact = exact_quantile(&sorted, q);
            let estimate = sketch.quantile(q).unwrap();
            assert!(
                (estimate - exact).abs() <= exact * RELATIVE_ACCURACY + 1e-9,
                "q {q}: {estimate} vs {exact}"
            );
        }
        assert_eq!(sketch.count(), 5000);
    }

    #[test]
    fn merging_in_any_order_gives_the_same_sketch() {
        let mut a = Sketch::new();
        let mut b = Sketch::new();
        let mut all = Sketch::new();
        for value in 0..300 {
            if value % 2 == 0 {
                a.add(value * 37)
            } else {
                b.add(value * 37)
            }
            all.add(value * 37);
        }
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, all);
        assert_eq!(ba, all);
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let mut sketch = Sketch::new();
        for value in [0, 0, 1, 2, 1_000, 86_400_000, 3_000_000_000] {
            sketch.add(value);
        }
        assert_eq!(Sketch::from_bytes(&sketch.to_bytes()).unwrap(), sketch);
        assert_eq!(Sketch::from_bytes(&[]).unwrap(), Sketch::new());
        assert_eq!(Sketch::new().quantile(0.5), None);
        assert!(Sketch::from_bytes(&[9]).is_err());
        let mut truncated = sketch.to_bytes();
        truncated.pop();
        assert!(Sketch::from_bytes(&truncated).is_err());
    }
}
