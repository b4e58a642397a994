//! Pods.

pub struct Pod {
    volumes: Vec<String>,
}

impl Pod {
    pub fn volumes(&self) -> &[String] {
        // The volumes in the order the spec lists them.
        /* Borrowed: callers clone what they keep. */
        &self.volumes
    }
}

pub fn count(pod: &Pod) -> usize {
    pod.volumes()
        .len() // one per mount
}
