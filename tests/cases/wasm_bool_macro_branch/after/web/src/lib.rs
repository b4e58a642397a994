/// Whether the code runs in the browser (as sycamore-web's is_not_ssr!).
#[macro_export]
macro_rules! is_browser {
    ($($tt:tt)*) => {
        $crate::_is_browser! { $($tt)* }
    };
}

#[cfg(any(not(target_arch = "wasm32"), force_ssr))]
#[macro_export]
#[doc(hidden)]
macro_rules! _is_browser {
    () => {
        false
    };
}

#[cfg(all(target_arch = "wasm32", not(force_ssr)))]
#[macro_export]
#[doc(hidden)]
macro_rules! _is_browser {
    () => { true };
}
