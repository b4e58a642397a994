pub struct HashMap<K, V, S = ()> {
    items: Vec<(K, V)>,
    hasher: S,
}

impl<K: PartialEq, V, S: Default> HashMap<K, V, S> {
    pub fn with_hasher(hasher: S) -> Self {
        HashMap { items: Vec::new(), hasher }
    }

    pub fn insert(&mut self, k: K, v: V) {
        self.items.push((k, v));
    }

    pub fn remove(&mut self, k: &K) -> Option<V> {
        let at = self.items.iter().position(|(key, _)| key == k)?;
        Some(self.items.swap_remove(at).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K) -> bool) {
        self.items.retain(|(k, _)| keep(k));
    }
}

pub struct HashSet<T> {
    items: Vec<T>,
}

impl<T> HashSet<T> {
    pub fn drain(&mut self) -> Vec<T> {
        std::mem::take(&mut self.items)
    }
}
