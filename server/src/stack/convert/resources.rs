//! `deploy.resources` -> limits and reservations, CPUs parsed as the CLI parses them.

use super::{Result, invalid, non_empty};
use bollard::models as m;
use compose::model::Resources;

/// The CLI's `opts.ParseCPUs`: a rational number ("0.5", "1/4", "2e-1") times 1e9, exactly.
pub(super) fn parse_cpus(text: &str) -> Result<i64> {
    let fail = || invalid(format!("failed to parse {text} as a rational number"));
    let (num, den): (i128, i128) = match text.split_once('/') {
        Some((n, d)) => (
            n.parse().map_err(|_| fail())?,
            d.parse().map_err(|_| fail())?,
        ),
        None => decimal(text).ok_or_else(fail)?,
    };
    if den == 0 {
        return Err(fail());
    }
    let nano = num.checked_mul(1_000_000_000).ok_or_else(fail)?;
    if nano % den != 0 {
        return Err(invalid("value is too precise"));
    }
    i64::try_from(nano / den).map_err(|_| fail())
}

/// A decimal with optional sign, fraction and exponent as numerator / power-of-ten denominator.
fn decimal(text: &str) -> Option<(i128, i128)> {
    let (mantissa, exp) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !(int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    let scale = exp - i32::try_from(frac.len()).ok()?;
    let pow = |e: i32| 10i128.checked_pow(e.unsigned_abs());
    let (num, den) = if scale >= 0 {
        (digits.checked_mul(pow(scale)?)?, 1)
    } else {
        (digits, pow(scale)?)
    };
    Some((if neg { -num } else { num }, den))
}

pub(super) fn non_zero(n: i64) -> Option<i64> {
    (n != 0).then_some(n)
}

/// Always present (the CLI sends `Resources: {}` when none are set).
pub(super) fn resources(source: &Option<Resources>) -> Result<m::TaskSpecResources> {
    let mut out = m::TaskSpecResources::default();
    let Some(source) = source else { return Ok(out) };
    if let Some(l) = &source.limits {
        out.limits = Some(m::Limit {
            nano_cpus: l
                .cpus
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(parse_cpus)
                .transpose()?
                .and_then(non_zero),
            memory_bytes: l.memory.map(|b| b.0).and_then(non_zero),
            pids: l.pids.and_then(non_zero),
        });
    }
    if let Some(r) = &source.reservations {
        let generic: Vec<m::GenericResourcesInner> = r
            .generic_resources
            .iter()
            .map(|g| m::GenericResourcesInner {
                discrete_resource_spec: g.discrete_resource_spec.as_ref().map(|d| {
                    m::GenericResourcesInnerDiscreteResourceSpec {
                        kind: Some(d.kind.clone()).filter(|k| !k.is_empty()),
                        value: non_zero(d.value),
                    }
                }),
                named_resource_spec: None,
            })
            .collect();
        out.reservations = Some(m::ResourceObject {
            nano_cpus: r
                .cpus
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(parse_cpus)
                .transpose()?
                .and_then(non_zero),
            memory_bytes: r.memory.map(|b| b.0).and_then(non_zero),
            generic_resources: non_empty(generic),
        });
    }
    Ok(out)
}
