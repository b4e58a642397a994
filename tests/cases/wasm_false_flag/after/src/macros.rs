macro_rules! cfg_native {
    ($($item:item)*) => {
        $( #[cfg(not(target_arch = "wasm32"))] $item )*
    }
}

macro_rules! log_state {
    ($($t:tt)*) => { $($t)* };
}
