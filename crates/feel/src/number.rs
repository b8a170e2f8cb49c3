//! FEEL numbers: IEEE 754 decimal128 (34 significant digits, round half even),
//! as DMN requires. Every operation that leaves the finite range (overflow,
//! division by zero, invalid operation) yields `None`, which the evaluator
//! turns into FEEL `null`.

use std::cmp::Ordering;
use std::fmt;

use dec::{Context, Decimal, Decimal128, Rounding};

/// Working precision for functions computed through the arbitrary-precision
/// type (`sqrt`, `exp`, `log`, `**`): 39 digits, then rounded to 34.
type Wide = Decimal<13>;

/// A FEEL number: a finite decimal128 value.
#[derive(Clone, Copy)]
pub struct Number(Decimal128);

/// Rounding modes used by the rounding built-ins.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundingMode {
    /// Towards the nearest neighbour, ties to even (banker's rounding).
    HalfEven,
    /// Towards the nearest neighbour, ties away from zero.
    HalfUp,
    /// Towards the nearest neighbour, ties towards zero.
    HalfDown,
    /// Away from zero.
    Up,
    /// Towards zero.
    Down,
    /// Towards positive infinity.
    Ceiling,
    /// Towards negative infinity.
    Floor,
}

impl RoundingMode {
    fn to_dec(self) -> Rounding {
        match self {
            RoundingMode::HalfEven => Rounding::HalfEven,
            RoundingMode::HalfUp => Rounding::HalfUp,
            RoundingMode::HalfDown => Rounding::HalfDown,
            RoundingMode::Up => Rounding::Up,
            RoundingMode::Down => Rounding::Down,
            RoundingMode::Ceiling => Rounding::Ceiling,
            RoundingMode::Floor => Rounding::Floor,
        }
    }
}

fn cx() -> Context<Decimal128> {
    Context::<Decimal128>::default()
}

fn finite(d: Decimal128) -> Option<Number> {
    if d.is_finite() {
        // Normalise negative zero so that `-0` prints and compares as `0`.
        if d.is_zero() {
            return Some(Number(cx().reduce(d.abs_sign())));
        }
        Some(Number(d))
    } else {
        None
    }
}

trait AbsSign {
    fn abs_sign(self) -> Self;
}

impl AbsSign for Decimal128 {
    fn abs_sign(self) -> Self {
        if self.is_negative() {
            cx().abs(self)
        } else {
            self
        }
    }
}

impl Number {
    /// Zero.
    pub fn zero() -> Number {
        Number(Decimal128::from(0i32))
    }

    /// One.
    pub fn one() -> Number {
        Number(Decimal128::from(1i32))
    }

    /// Parses a FEEL numeric literal or a plain decimal string (`-12.5`,
    /// `.5`, `1e3`). Returns `None` for anything else, including NaN and
    /// infinities.
    pub fn parse(s: &str) -> Option<Number> {
        let t = s.trim();
        if t.is_empty()
            || !t
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
            || !t.chars().any(|c| c.is_ascii_digit())
        {
            return None;
        }
        let mut c = cx();
        let d = c.parse(t).ok()?;
        finite(d)
    }

    /// Converts from an `i64` (exact).
    pub fn from_i64(n: i64) -> Number {
        Number(Decimal128::from(n))
    }

    /// Converts from an `f64` through its shortest decimal representation;
    /// `None` for NaN and infinities.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        Number::parse(&format!("{f}"))
    }

    /// The underlying decimal128.
    pub fn as_decimal128(&self) -> Decimal128 {
        self.0
    }

    /// Wraps a decimal128; `None` when it is not finite.
    pub fn from_decimal128(d: Decimal128) -> Option<Number> {
        finite(d)
    }

    /// `self + rhs`.
    pub fn add(&self, rhs: &Number) -> Option<Number> {
        finite(cx().add(self.0, rhs.0))
    }

    /// `self - rhs`.
    pub fn sub(&self, rhs: &Number) -> Option<Number> {
        finite(cx().sub(self.0, rhs.0))
    }

    /// `self * rhs`.
    pub fn mul(&self, rhs: &Number) -> Option<Number> {
        finite(cx().mul(self.0, rhs.0))
    }

    /// `self / rhs`; `None` on division by zero.
    pub fn div(&self, rhs: &Number) -> Option<Number> {
        if rhs.is_zero() {
            return None;
        }
        finite(cx().div(self.0, rhs.0))
    }

    /// `-self`.
    pub fn neg(&self) -> Number {
        finite(cx().minus(self.0)).unwrap_or(*self)
    }

    /// `|self|`.
    pub fn abs(&self) -> Number {
        Number(cx().abs(self.0))
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        self.0.is_negative() && !self.0.is_zero()
    }

    /// Whether the value has no fractional part.
    pub fn is_integer(&self) -> bool {
        self.0.is_integer()
            || (self.0.is_finite() && {
                let r = cx().reduce(self.0);
                r.exponent() >= 0
            })
    }

    /// The value as an `i64` when it is integral and fits.
    pub fn to_i64(&self) -> Option<i64> {
        if !self.is_integer() {
            return None;
        }
        let mut c = cx();
        let q = c.quantize(self.0, Decimal128::from(0i32));
        if !q.is_finite() {
            return None;
        }
        i64::try_from(q.coefficient()).ok()
    }

    /// The value as an `i64`, truncated towards zero, when it fits.
    pub fn trunc_i64(&self) -> Option<i64> {
        self.round(0, RoundingMode::Down)?.to_i64()
    }

    /// The nearest `f64` (lossy; for diagnostics and statistics only).
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// Rounds to `scale` digits after the decimal point (negative scales
    /// round to tens, hundreds, ...). Returns `self` unchanged when it already
    /// has fewer digits than asked for and more would not fit in 34 digits.
    pub fn round(&self, scale: i64, mode: RoundingMode) -> Option<Number> {
        if !(-6111..=6176).contains(&scale) {
            return None;
        }
        let mut c = cx();
        c.set_rounding(mode.to_dec());
        let mut quantum = Decimal128::from(1i32);
        c.set_exponent(&mut quantum, -(scale as i32));
        let q = c.quantize(self.0, quantum);
        if q.is_finite() {
            finite(q)
        } else if self.0.exponent() >= -(scale as i32) {
            Some(*self)
        } else {
            finite(cx().reduce(self.0)).filter(|n| n.0.exponent() >= -(scale as i32))
        }
    }

    /// Remainder with the sign of the divisor (FEEL `modulo`):
    /// `a - b * floor(a / b)`.
    pub fn modulo(&self, divisor: &Number) -> Option<Number> {
        if divisor.is_zero() {
            return None;
        }
        let mut c = cx();
        let r = c.rem(self.0, divisor.0);
        if !r.is_finite() {
            return None;
        }
        let r = if !r.is_zero() && (r.is_negative() != divisor.0.is_negative()) {
            c.add(r, divisor.0)
        } else {
            r
        };
        finite(r)
    }

    fn wide(&self) -> (Context<Wide>, Wide) {
        let mut c = Context::<Wide>::default();
        let _ = c.set_precision(39);
        // decNumber's exp, ln and power need exponent limits within 999999.
        let _ = c.set_max_exponent(999_999);
        let _ = c.set_min_exponent(-999_999);
        (c, Wide::from(self.0))
    }

    fn narrow(w: &Wide) -> Option<Number> {
        let d = Context::<Decimal128>::default().from_decimal(w);
        finite(d)
    }

    /// Square root; `None` for negative numbers.
    pub fn sqrt(&self) -> Option<Number> {
        if self.is_negative() {
            return None;
        }
        let (mut c, mut w) = self.wide();
        c.sqrt(&mut w);
        Number::narrow(&w)
    }

    /// Natural logarithm; `None` for numbers `<= 0`.
    pub fn ln(&self) -> Option<Number> {
        if self.is_negative() || self.is_zero() {
            return None;
        }
        let (mut c, mut w) = self.wide();
        c.ln(&mut w);
        Number::narrow(&w)
    }

    /// `e` raised to this number.
    pub fn exp(&self) -> Option<Number> {
        let (mut c, mut w) = self.wide();
        c.exp(&mut w);
        Number::narrow(&w)
    }

    /// `self ** exponent`.
    pub fn pow(&self, exponent: &Number) -> Option<Number> {
        let (mut c, mut w) = self.wide();
        let e = Wide::from(exponent.0);
        c.pow(&mut w, &e);
        if c.status().invalid_operation() {
            return None;
        }
        Number::narrow(&w)
    }

    /// The number without trailing zeros in its coefficient.
    pub fn normalized(&self) -> Number {
        Number(cx().reduce(self.0))
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Number {}

impl Ord for Number {
    /// Numeric order (`1.0` equals `1`); total, since numbers are finite.
    fn cmp(&self, other: &Number) -> Ordering {
        cx().partial_cmp(self.0, other.0).unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Number {
    /// Plain decimal notation, never exponent notation, without trailing
    /// fractional zeros: `1`, `-0.25`, `1000000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = cx().reduce(self.0);
        let s = r.to_standard_notation_string();
        if s == "-0" {
            return f.write_str("0");
        }
        f.write_str(&s)
    }
}

impl From<i64> for Number {
    fn from(n: i64) -> Number {
        Number::from_i64(n)
    }
}

impl From<i32> for Number {
    fn from(n: i32) -> Number {
        Number::from_i64(i64::from(n))
    }
}
