// The maps are built through macro_rules! bodies, as hashbrown's benches do:
// a metavariable names the type (`$maptype::with_hasher(..)`), an alias of
// HashMap is what the invocation passes, and a suite macro passes the bench
// macro's name on.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use maps::HashMap;

type AHashMap<K, V> = HashMap<K, V, u8>;

macro_rules! bench_suite {
    ($bench_macro:ident, $name:ident) => {
        $bench_macro!($name, AHashMap, 0..100u32);
    };
}

macro_rules! bench_insert_erase {
    ($name:ident, $maptype:ident, $keys:expr) => {
        fn $name(c: &mut Criterion) {
            let mut base = $maptype::with_hasher(Default::default());
            for k in $keys {
                base.insert(k, k);
            }
            c.bench_function(stringify!($name), |b| {
                b.iter(|| {
                    let mut m = base.clone();
                    for k in $keys.take(10) {
                        black_box(m.remove(&k));
                    }
                })
            });
        }
    };
}

bench_suite!(bench_insert_erase, insert_erase_ahash);

fn sets(c: &mut Criterion) {
    // `drain` of a Vec, not of HashSet: no macro body gives it a type.
    let mut v: Vec<u32> = Vec::new();
    c.bench_function("sets", |b| b.iter(|| v.drain(..)));
}

criterion_group!(benches, insert_erase_ahash, sets);
criterion_main!(benches);
