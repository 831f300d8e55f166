//! The merge laws of a state-based CRDT, asserted on three replicas:
//! commutative, associative, idempotent (also after a merge). A broken law
//! panics with the law's name and both sides, which libFuzzer reports as a
//! crash with the input that broke it.

use crdts::CvRDT;

pub fn merged<T: CvRDT + Clone>(a: &T, b: &T) -> T {
    let mut out = a.clone();
    out.merge(b.clone());
    out
}

/// Panics naming the first law `a`, `b`, `c` break.
pub fn assert_laws<T: CvRDT + Clone + PartialEq + std::fmt::Debug>(
    what: &str,
    a: &T,
    b: &T,
    c: &T,
) {
    assert_eq!(
        merged(a, b),
        merged(b, a),
        "{what}: merge is not commutative"
    );
    assert_eq!(
        merged(&merged(a, b), c),
        merged(a, &merged(b, c)),
        "{what}: merge is not associative"
    );
    assert_eq!(merged(a, a), a.clone(), "{what}: merge is not idempotent");
    assert_eq!(
        merged(&merged(a, b), b),
        merged(a, b),
        "{what}: merging a merged replica again changes it"
    );
}
