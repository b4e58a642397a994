use crate::model::Worker;

impl Worker {
    pub async fn step(&self) -> u32 {
        let a = self.rx.recv().unwrap();
        self.tx.send(a).unwrap();
        let b = self.shared.lock().unwrap().recv().unwrap();
        self.name.len() as u32 + b
    }

    pub fn drain(&self) -> u32 {
        self.rx.recv().unwrap()
    }
}
