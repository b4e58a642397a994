//! Pods.

pub struct Pod {
    volumes: Vec<String>,
}

impl Pod {
    pub fn volumes(&self) -> &[String] {
        &self.volumes
    }
}

pub fn count(pod: &Pod) -> usize {
    pod.volumes().len()
}
