//! A bounded fuzz run of the value decoders: whatever bytes arrive in a
//! request, decoding ends quickly with a value or an error, never with a
//! panic, an abort or a giant allocation.
//!
//! Inputs are random msgpack trees (every msgpack kind, extensions, number
//! strings with wild exponents, lengths that lie), byte-level mutations of
//! real encoded states, and the same for JSON, decoded against every
//! resource, data source and provider schema of the provider plus a dynamic
//! type. The run is seeded, so a failure repeats; `FUZZ_ITERATIONS` and
//! `FUZZ_SEED` change its size and seed. Known killers stay in as
//! regression cases.
//!
//! The allocator below records the largest single allocation request, which
//! must stay far below what an input of a few KiB could justify.

use std::alloc::{GlobalAlloc, Layout, System};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pgwarden::protocol::cty::{decode_json_lenient, decode_msgpack, encode_msgpack};
use pgwarden::protocol::{Provider, Type, Value};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Records the largest allocation request, then serves it from the system.
struct Recording;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Recording {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // A request this size is already a failure; refusing it turns the
        // would-be abort into the assertion below rather than an OOM kill.
        if layout.size() > REFUSE_ABOVE {
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        if new_size > REFUSE_ABOVE {
            return std::ptr::null_mut();
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Recording = Recording;

/// The most one decode may ask for at once (inputs are at most a few KiB).
const MAX_ALLOCATION: usize = 16 << 20;
/// Far beyond anything legitimate; refused outright.
const REFUSE_ABOVE: usize = 1 << 30;
/// The slowest a single decode may be, in a debug build on a busy machine.
const MAX_DECODE_TIME: Duration = Duration::from_secs(2);

/// Inputs that once crashed or hung the plugin.
fn regression_cases() -> Vec<(Vec<u8>, Type)> {
    let mut number_string = vec![0xb8, 24];
    number_string.extend_from_slice(b"0.5e-9223372036854775807");
    vec![
        (number_string, Type::Number),
        (msgpack_str("5e9223372036854775807"), Type::Number),
        (msgpack_str("-1e-9223372036854775808"), Type::Number),
        // An array header claiming four billion elements.
        (vec![0xdd, 0xff, 0xff, 0xff, 0xff], Type::list(Type::String)),
        // A map header claiming four billion entries.
        (vec![0xdf, 0xff, 0xff, 0xff, 0xff], Type::map(Type::Number)),
        // A string header claiming four gigabytes.
        (vec![0xdb, 0xff, 0xff, 0xff, 0xff], Type::String),
    ]
}

fn msgpack_str(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    rmp::encode::write_str(&mut out, s).expect("write to a Vec");
    out
}

/// Every type the provider decodes requests against.
fn schema_types() -> Vec<Type> {
    let provider = pgwarden::resources::PostgresProvider::new();
    let mut types = vec![provider.schema().block.implied_type()];
    types.extend(
        provider
            .resources()
            .iter()
            .map(|r| r.schema().block.implied_type()),
    );
    types.extend(
        provider
            .data_sources()
            .iter()
            .map(|d| d.schema().block.implied_type()),
    );
    types.extend([
        Type::Dynamic,
        Type::Number,
        Type::list(Type::Dynamic),
        Type::object([("d", Type::Dynamic), ("n", Type::Number)]),
    ]);
    types
}

/// Strings that exercise the number parser and type JSON of dynamic values.
const TRICKY_STRINGS: &[&str] = &[
    "0.5e-9223372036854775807",
    "1e999999999",
    "1e-999999999",
    "99999999999999999999999999999999999999999999999999999999999999999999e-99999",
    "-0",
    "+Inf",
    "NaN",
    ".e5",
    "1e",
    "\"string\"",
    "[\"list\",\"dynamic\"]",
    "[\"object\",{\"a\":\"number\"},[\"a\"]]",
    "[\"tuple\",[\"string\",\"bool\"]]",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"list\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
];

fn random_string(rng: &mut StdRng) -> String {
    if rng.random_bool(0.5) {
        return TRICKY_STRINGS[rng.random_range(0..TRICKY_STRINGS.len())].to_string();
    }
    let len = rng.random_range(0..12);
    (0..len)
        .map(|_| {
            const CHARS: &[u8] = b"0123456789.eE+-abcxyz\"[]{}:,\\\0";
            CHARS[rng.random_range(0..CHARS.len())] as char
        })
        .collect()
}

/// A random msgpack tree, at most `depth` levels deep.
fn random_value(rng: &mut StdRng, depth: u32) -> rmpv::Value {
    use rmpv::Value as M;
    let leaf = depth == 0 || rng.random_bool(0.4);
    let kind = if leaf {
        rng.random_range(0..8)
    } else {
        rng.random_range(0..11)
    };
    match kind {
        0 => M::Nil,
        1 => M::Boolean(rng.random()),
        2 => M::from(rng.random::<i64>() >> rng.random_range(0..64)),
        3 => M::from(rng.random::<u64>()),
        4 => M::F64(f64::from_bits(rng.random())),
        5 => M::F32(f32::from_bits(rng.random())),
        6 => M::from(random_string(rng)),
        7 => {
            let len = rng.random_range(0..6);
            M::Ext(
                rng.random_range(-2..14),
                (0..len).map(|_| rng.random()).collect(),
            )
        }
        8 | 9 => {
            let n = rng.random_range(0..5);
            M::Array((0..n).map(|_| random_value(rng, depth - 1)).collect())
        }
        _ => {
            let n = rng.random_range(0..5);
            M::Map(
                (0..n)
                    .map(|_| {
                        let key = if rng.random_bool(0.8) {
                            M::from(random_key(rng))
                        } else {
                            random_value(rng, 0)
                        };
                        (key, random_value(rng, depth - 1))
                    })
                    .collect(),
            )
        }
    }
}

/// Object keys: mostly real attribute names, so decoding gets past the
/// first level.
fn random_key(rng: &mut StdRng) -> String {
    const KEYS: &[&str] = &[
        "id",
        "name",
        "roles",
        "privileges",
        "connection_limit",
        "using",
        "host",
        "port",
        "d",
        "n",
        "objects",
        "schema",
        "table",
    ];
    KEYS[rng.random_range(0..KEYS.len())].to_string()
}

fn encode_raw(v: &rmpv::Value) -> Vec<u8> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, v).expect("write to a Vec");
    out
}

/// Flips, inserts, deletes or overwrites a few bytes.
fn mutate(rng: &mut StdRng, bytes: &mut Vec<u8>) {
    for _ in 0..rng.random_range(1..4) {
        match rng.random_range(0..4) {
            0 if !bytes.is_empty() => {
                let i = rng.random_range(0..bytes.len());
                bytes[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let i = rng.random_range(0..=bytes.len());
                bytes.insert(i, rng.random());
            }
            2 if !bytes.is_empty() => {
                let i = rng.random_range(0..bytes.len());
                bytes.remove(i);
            }
            _ if !bytes.is_empty() => {
                // Lengths and markers that lie are the interesting bytes.
                let i = rng.random_range(0..bytes.len());
                bytes[i] = [0xff, 0xdd, 0xdf, 0xdb, 0xc7, 0xd4, 0xcb, 0x00][rng.random_range(0..8)];
            }
            _ => {}
        }
    }
}

/// A valid value of `ty` to mutate: mostly nulls with some leaves set.
fn seed_value(rng: &mut StdRng, ty: &Type) -> Value {
    match ty {
        Type::String => Value::string(random_string(rng)),
        Type::Number => Value::int(rng.random_range(-5..100_000)),
        Type::Bool => Value::bool(rng.random()),
        Type::Object { attrs, .. } => Value::Object(
            attrs
                .iter()
                .map(|(k, t)| {
                    let v = if rng.random_bool(0.5) {
                        seed_value(rng, t)
                    } else {
                        Value::Null
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Type::List(t) => Value::List(vec![seed_value(rng, t)]),
        _ => Value::Null,
    }
}

/// Decodes one input as msgpack and as JSON, checking time and memory.
fn check(bytes: &[u8], ty: &Type, what: &str) {
    LARGEST.store(0, Ordering::Relaxed);
    let started = Instant::now();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let _ = decode_msgpack(bytes, ty);
        let _ = decode_json_lenient(bytes, ty);
    }));
    let took = started.elapsed();
    let largest = LARGEST.load(Ordering::Relaxed);
    let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]).into_owned();
    assert!(
        outcome.is_ok(),
        "{what}: decoding panicked on {bytes:02x?} ({shown:?}) as {ty}"
    );
    assert!(
        took < MAX_DECODE_TIME,
        "{what}: decoding took {took:?} on {bytes:02x?} as {ty}"
    );
    assert!(
        largest < MAX_ALLOCATION,
        "{what}: decoding asked for {largest} bytes at once on {bytes:02x?} ({shown:?}) as {ty}"
    );
}

#[test]
fn decoders_survive_hostile_input() {
    let iterations: u64 = std::env::var("FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30_000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_c0de);
    for (bytes, ty) in regression_cases() {
        check(&bytes, &ty, "regression case");
    }
    let types = schema_types();
    let mut rng = StdRng::seed_from_u64(seed);
    let started = Instant::now();
    for i in 0..iterations {
        let ty = &types[rng.random_range(0..types.len())];
        let mut bytes = match i % 4 {
            // A random tree: anything msgpack can say.
            0 => encode_raw(&random_value(&mut rng, 5)),
            // A real value of the type, then damaged.
            1 | 2 => {
                let v = seed_value(&mut rng, ty);
                let mut b = encode_msgpack(&v, ty).unwrap_or_default();
                mutate(&mut rng, &mut b);
                b
            }
            // JSON-looking text.
            _ => {
                let v = seed_value(&mut rng, ty);
                let mut b = pgwarden::protocol::cty::encode_json(&v, ty)
                    .map(|j| j.to_string().into_bytes())
                    .unwrap_or_default();
                mutate(&mut rng, &mut b);
                b
            }
        };
        if rng.random_bool(0.1) {
            bytes.truncate(rng.random_range(0..=bytes.len()));
        }
        check(&bytes, ty, &format!("iteration {i} (seed {seed})"));
    }
    eprintln!(
        "fuzz_codec: {iterations} inputs against {} types in {:.1}s",
        types.len(),
        started.elapsed().as_secs_f64()
    );
}
